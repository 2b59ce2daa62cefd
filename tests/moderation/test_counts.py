"""Counts include only what readers see: a space's thread count its live threads, a thread's
reply count its live replies (neither deleted, nor hidden pending review, nor held for
approval)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.moderation.models import ModerationCase
from community.spaces.models import Space
from tests.fixtures.app import act, page_text

LIMITS = {"NEW_ACCOUNT_LIMITS": True, "NEW_ACCOUNT_POSTS": 3}


@pytest.fixture
def holding(app, cast):
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()


def _counts(app, space, thread) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.get(Space, space.id).thread_count,
            db.session.get(Thread, thread.id).reply_count,
        )


def _recounted(app, space, thread) -> tuple[int, int]:
    """The same counts, from the rows."""
    with app.app_context():
        threads = db.session.scalar(
            select(func.count(Thread.id)).where(
                Thread.space_id == space.id, Thread.deleted_at.is_(None), Thread.hidden_at.is_(None)
            )
        )
        replies = db.session.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == thread.id,
                Post.is_opening.is_(False),
                Post.deleted_at.is_(None),
                Post.hidden_at.is_(None),
            )
        )
        return threads, replies


@pytest.mark.parametrize("app_config", [LIMITS])
def test_held_posts_count_once_approved(
    app, client, login, cast, holding, space_mod, create_thread, create_reply, approve
):
    thread = create_thread(cast.space, cast.owner)
    assert _counts(app, cast.space, thread) == (1, 0)
    held_thread = create_thread(cast.space, cast.member, title="A held thread")
    held_reply = create_reply(thread, cast.member)
    assert _counts(app, cast.space, thread) == (1, 0)
    with app.app_context():
        assert forums.recount_replies() == 0  # `flask forums recount` counts the same
    for who in (client, app.test_client()):
        if who is client:
            login(client, cast.asker)
        header = page_text(who.get(f"/s/{cast.space.slug}"))
        assert "1 thread" in header and "2 threads" not in header
        assert "1 thread" in page_text(who.get("/spaces"))
        api = who.get(f"/api/v1/spaces/{cast.space.slug}").get_json()["data"]
        assert api["thread_count"] == 1
    moderator = app.test_client()
    login(moderator, space_mod)
    with app.app_context():
        cases = dict(
            db.session.execute(
                select(ModerationCase.target_id, ModerationCase.id).where(
                    ModerationCase.held.is_(True)
                )
            ).all()
        )
    approve(moderator, cases[held_thread.id], "Fine")
    approve(moderator, cases[held_reply.id], "Fine")
    assert _counts(app, cast.space, thread) == (2, 1) == _recounted(app, cast.space, thread)


def test_hidden_deleted_restored_and_moved_threads_count_while_live(
    app, cast, flaggers, flag, space_mod, create_thread, create_reply, create_space, add_member
):
    from community.spaces.models import SpaceRole

    thread = create_thread(cast.space, cast.member)
    reply = create_reply(thread, cast.asker)
    for flagger in flaggers:
        flag(thread, flagger)
        flag(reply, flagger)
    assert _counts(app, cast.space, thread) == (0, 0)
    act(app, forums.delete_post, reply, by=space_mod)
    act(app, forums.restore_post, reply, by=space_mod)
    opening = Post(id=_opening_id(app, thread))
    act(app, forums.delete_post, opening, by=space_mod)
    act(app, forums.restore_post, opening, by=space_mod)
    assert _counts(app, cast.space, thread) == (0, 0) == _recounted(app, cast.space, thread)
    elsewhere = create_space("Elsewhere")
    add_member(elsewhere, space_mod, role=SpaceRole.MODERATOR)
    act(app, forums.move_thread, thread, elsewhere, by=space_mod, reason="Belongs there")
    with app.app_context():
        assert db.session.get(Space, elsewhere.id).thread_count == 0
        assert db.session.get(Space, cast.space.id).thread_count == 0


def _opening_id(app, thread) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        )


@pytest.mark.parametrize("app_config", [LIMITS])
def test_insights_count_published_questions_and_answers(
    app, cast, holding, space_owner, create_thread, create_reply
):
    from datetime import date, timedelta

    from community.accounts.models import User
    from community.analytics.dashboard.knowledge import knowledge_loop
    from community.analytics.dashboard.scope import Scope

    question = create_thread(cast.space, cast.owner, kind="question")
    create_reply(question, cast.member, body="A held answer")
    create_thread(cast.space, cast.member, kind="question", title="A held question")
    with app.app_context():
        scope = Scope(start=date.today() - timedelta(days=1), end=date.today())
        found = knowledge_loop(db.session.get(User, space_owner.id), scope)
    assert (found.questions, found.answered) == (1, 0)
