"""The migration that added held flags and case words, and made counts count live rows only:
its backfill gives what the application keeps, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation.models import ModerationCase
from community.spaces.models import Space
from tests.fixtures.app import make_app
from tests.fixtures.postgres import fresh_postgres_database

MIGRATION = "3ec38a441c18_held_posts_and_case_words.py"
# What was counted before: every thread and reply not deleted, hidden or not.
COUNTED_BEFORE = (
    """UPDATE spaces SET thread_count = (SELECT count(*) FROM threads
        WHERE threads.space_id = spaces.id AND threads.deleted_at IS NULL)""",
    """UPDATE threads SET reply_count = (SELECT count(*) FROM posts
        WHERE posts.thread_id = threads.id AND posts.is_opening = false
          AND posts.deleted_at IS NULL)""",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The backfill's SQL runs on both databases; new members' posts are held."""
    with contextlib.ExitStack() as stack:
        overrides = {"NEW_ACCOUNT_LIMITS": True, "NEW_ACCOUNT_POSTS": 3}
        if request.param == "postgresql":
            url = stack.enter_context(fresh_postgres_database("cocreate_held_backfill"))
            overrides["SQLALCHEMY_DATABASE_URI"] = url
        app = make_app(tmp_path, **overrides)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def holding(app, cast):
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()


def _migration():
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("held_posts_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def _kept(app) -> dict:
    with app.app_context():
        return {
            "spaces": dict(db.session.execute(select(Space.id, Space.thread_count)).all()),
            "threads": {
                row.id: (row.reply_count, row.held, row.hidden_at is not None)
                for row in db.session.execute(
                    select(Thread.id, Thread.reply_count, Thread.held, Thread.hidden_at)
                )
            },
            "posts": dict(db.session.execute(select(Post.id, Post.held)).all()),
            "ideas": dict(db.session.execute(select(Idea.id, Idea.held)).all()),
            "cases": dict(
                db.session.execute(
                    select(ModerationCase.id, ModerationCase.original).where(
                        ModerationCase.state == "open"
                    )
                ).all()
            ),
        }


def test_the_migrations_backfill_gives_what_the_application_kept(
    app, cast, holding, flaggers, flag, create_thread, create_reply, create_idea
):
    """Held and hidden content made through the application, then the database as it was
    before the migration (no held flags, hidden rows counted, an idea's thread not hidden
    with it, no case words): the backfill gives back what the application kept."""
    thread = create_thread(cast.space, cast.owner)
    create_reply(thread, cast.member, body="A held reply")
    create_thread(cast.space, cast.member, title="A held thread")
    create_idea(cast.space, cast.member, title="A held idea")
    flagged = create_reply(thread, cast.owner, body="Flagged away")
    for flagger in flaggers:
        flag(flagged, flagger)
    kept = _kept(app)
    assert any(kept["ideas"].values()) and all(kept["cases"].values())
    with app.app_context():
        for model in (Thread, Post, Idea):
            db.session.execute(update(model).values(held=False))
        codesign = select(Idea.thread_id).scalar_subquery()
        db.session.execute(update(Thread).where(Thread.id.in_(codesign)).values(hidden_at=None))
        for statement in COUNTED_BEFORE:
            db.session.execute(text(statement))
        db.session.execute(update(ModerationCase).values(original=None))
        _migration().backfill(db.session.connection())
        db.session.commit()
    assert _kept(app) == kept
