"""A space keeps its live questions and discussions (``Space.question_count`` and
``discussion_count``, beside ``thread_count``): the thread list counts from them instead of
reading every thread (#22). The kept counts equal the rows after every operation that starts,
hides, moves, deletes or restores a thread, the list's total equals the rows for each kind of
viewer, ``flask forums recount`` repairs them and the migration starts them from the data; on
SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from community.accounts.models import User
from community.extensions import db
from community.forums import operations, queries
from community.forums.models import Post, Thread
from community.ideas import curation
from community.ideas.models import Idea
from community.spaces.models import Space
from tests.fixtures.postgres import app_on

MIGRATION = "a61f0c3e9d27_space_list_counts.py"
COLUMNS = ("thread_count", "question_count", "discussion_count")


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The counts are kept with ``n = n + 1`` updates and repaired with subqueries: both
    databases."""
    with app_on(request.param, tmp_path, "cocreate_thread_counts") as app:
        yield app


def kept(app) -> dict[int, tuple[int, ...]]:
    with app.app_context():
        rows = db.session.execute(select(Space.id, *(getattr(Space, c) for c in COLUMNS)))
        return {space_id: tuple(counts) for space_id, *counts in rows}


def real(app) -> dict[int, tuple[int, ...]]:
    """The same counts, from the threads."""
    with app.app_context():
        counts = {}
        for space_id in db.session.scalars(select(Space.id)):
            live = select(func.count(Thread.id)).where(
                Thread.space_id == space_id,
                Thread.deleted_at.is_(None),
                Thread.hidden_at.is_(None),
            )
            counts[space_id] = (
                db.session.scalar(live),
                db.session.scalar(live.where(Thread.kind == "question")),
                db.session.scalar(live.where(Thread.kind == "discussion")),
            )
        return counts


def hide(app, thread: Thread) -> None:
    with app.test_request_context():
        operations.set_hidden(db.session.get(Thread, thread.id), True)
        db.session.commit()


def opening(app, thread: Thread) -> tuple:
    with app.app_context():
        return Post, db.session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        )


def listed_totals(app, space: Space, viewer: User | None) -> dict[str, tuple[int, int]]:
    """Each kind tab's total as the list gives it and as the rows give it, for ``viewer``."""
    totals = {}
    with app.test_request_context():
        space = db.session.get(Space, space.id)
        person = db.session.get(User, viewer.id) if viewer is not None else None
        for kind in ("", "question", "discussion"):
            page = queries.threads_page(space, kind=kind, viewer=person)
            stmt = select(func.count(Thread.id)).where(
                Thread.space_id == space.id,
                Thread.deleted_at.is_(None),
                Thread.kind == kind if kind else Thread.kind != "codesign",
            )
            if person is None:
                stmt = stmt.where(Thread.hidden_at.is_(None))
            elif person.username != "owner":  # the owner moderates: shown every hidden one
                stmt = stmt.where((Thread.hidden_at.is_(None)) | (Thread.author_id == person.id))
            totals[kind] = (page.total, db.session.scalar(stmt))
    return totals


def test_kept_counts_follow_every_operation(app, cast, create_space, create_thread, create_idea):
    other = create_space("Elsewhere")
    question = create_thread(cast.space, cast.asker, kind="question")
    create_thread(cast.space, cast.member, kind="question")
    discussion = create_thread(cast.space, cast.member, kind="discussion")
    create_thread(cast.space, cast.asker, kind="discussion")
    idea = create_idea(cast.space, cast.asker)
    duplicate = create_idea(cast.space, cast.member, title="The same idea again")
    assert kept(app)[cast.space.id] == (6, 2, 2) == real(app)[cast.space.id]

    steps = [
        (operations.set_hidden, [(Thread, question.id)], {"hidden": True}),
        (operations.set_hidden, [(Thread, discussion.id)], {"hidden": True, "held": True}),
        (operations.set_hidden, [(Thread, discussion.id)], {"hidden": False}),
        ("move", [(Thread, discussion.id), (Space, other.id)], {}),
        ("delete", [opening(app, discussion)], {}),
        ("restore", [opening(app, discussion)], {}),
        ("merge", [(Idea, duplicate.id)], {}),
        ("delete", [opening(app, question)], {}),  # hidden: counted already
        (operations.set_hidden, [(Thread, question.id)], {"hidden": False}),  # and deleted
    ]
    for operation, ids, kwargs in steps:
        with app.test_request_context():
            rows = [db.session.get(model, row_id) for model, row_id in ids]
            owner = db.session.get(User, cast.owner.id)
            if operation == "move":
                operations.move_thread(*rows, by=owner, reason="Belongs there")
            elif operation == "delete":
                operations.delete_post(*rows, by=owner)
            elif operation == "restore":
                operations.restore_post(*rows, by=owner)
            elif operation == "merge":
                curation.merge_idea(*rows, idea.id, response="Same as this one", by=owner)
            else:
                operation(*rows, **kwargs)
            db.session.commit()
        assert kept(app) == real(app), (operation, ids)
    assert kept(app)[other.id] == (1, 0, 1)
    assert kept(app)[cast.space.id] == (4, 1, 1)  # both ideas keep their co-design thread


def test_the_list_counts_what_each_viewer_is_shown(app, cast, create_thread):
    """Hidden threads: none for anonymous visitors, their own for members, all for the
    space's moderators; the kept counts plus those."""
    mine = create_thread(cast.space, cast.member, kind="question")
    theirs = create_thread(cast.space, cast.asker, kind="discussion")
    create_thread(cast.space, cast.asker, kind="question")
    for thread in (mine, theirs):
        hide(app, thread)
    for viewer in (None, cast.member, cast.asker, cast.owner):
        for kind, (listed, rows) in listed_totals(app, cast.space, viewer).items():
            assert listed == rows, (viewer, kind)
    assert listed_totals(app, cast.space, None)[""] == (1, 1)
    assert listed_totals(app, cast.space, cast.owner)[""] == (3, 3)


def test_recount_repairs_wrong_counts(app, cast, create_thread):
    create_thread(cast.space, cast.asker, kind="question")
    create_thread(cast.space, cast.asker, kind="discussion")
    right = kept(app)
    assert right == real(app)
    with app.app_context():
        db.session.execute(update(Space).values(question_count=7, discussion_count=-1))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forums", "recount"])
    assert result.exit_code == 0, result.output
    assert "Fixed the thread counts of 1 spaces." in result.output
    assert kept(app) == right
    assert "thread counts of 0 spaces" in runner.invoke(args=["forums", "recount"]).output


def test_the_migration_starts_the_counts_from_the_threads(app, cast, create_thread):
    create_thread(cast.space, cast.asker, kind="question")
    hidden = create_thread(cast.space, cast.asker, kind="question")
    create_thread(cast.space, cast.member, kind="discussion")
    hide(app, hidden)
    right = kept(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("thread_counts_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(update(Space).values(question_count=0, discussion_count=0))
        db.session.execute(text(migration.initial_counts()))
        db.session.commit()
    assert kept(app) == right
    assert right[cast.space.id] == (2, 1, 1)
