"""The answer counts counted again: ``flask forums recount`` and the migration's backfill,
on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from community.accounts.models import User
from community.extensions import db
from community.forums import operations
from community.forums.models import Post, Thread
from tests.fixtures.postgres import app_on

MIGRATION = "e4a7c2d9b815_answers_by_others_than_the_asker.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The recount and the backfill are spelt per database: check both."""
    with app_on(request.param, tmp_path, "cocreate_answers") as app:
        yield app


@pytest.fixture
def replies(app, create_space, create_user, add_member, create_thread, create_reply):
    """Questions with replies by their askers, by others, and deleted ones."""
    space = create_space("Imaging")
    asker, other = create_user("asker"), create_user("other")
    for person in (asker, other):
        add_member(space, person)
    quiet = create_thread(space, asker, title="Nobody")
    selfish = create_thread(space, asker, title="Only me")
    create_reply(selfish, asker)
    busy = create_thread(space, asker, title="Busy")
    create_reply(busy, asker)
    create_reply(busy, other)
    gone = create_reply(busy, other)
    with app.test_request_context():
        operations.delete_post(db.session.get(Post, gone.id), by=db.session.get(User, other.id))
        db.session.commit()
    return {"quiet": quiet.id, "selfish": selfish.id, "busy": busy.id}


def stored(app) -> dict[int, tuple[int, int]]:
    with app.app_context():
        rows = db.session.execute(select(Thread.id, Thread.reply_count, Thread.answer_count))
        return {thread_id: (n, answers) for thread_id, n, answers in rows}


def test_recount_fixes_wrong_counts(app, replies):
    kept = stored(app)
    assert [kept[replies[k]] for k in ("quiet", "selfish", "busy")] == [(0, 0), (1, 0), (2, 1)]
    with app.app_context():
        db.session.execute(update(Thread).values(reply_count=7, answer_count=7))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forums", "recount"])
    assert result.exit_code == 0, result.output
    assert "Fixed the reply and answer counts of 3 threads." in result.output
    assert stored(app) == kept
    assert "of 0 threads" in runner.invoke(args=["forums", "recount"]).output


def test_the_migrations_backfill_gives_what_the_application_kept(app, replies):
    kept = stored(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("answers_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(update(Thread).values(answer_count=0))
        db.session.execute(text(migration.backfill_statement(db.engine.dialect.name)))
        db.session.commit()
    assert stored(app) == kept
