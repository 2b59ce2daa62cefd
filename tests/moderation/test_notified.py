"""Moderation and notifications together: authors hear of decisions about their content;
held or hidden content is never announced or shown in others' notifications."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.notifications.models import Notification
from community.spaces.models import Space
from tests.fixtures.app import page_text


def _kinds(app, user) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(Notification.kind)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )


def test_the_author_hears_of_a_hide_by_flags_and_of_the_approval(
    app, client, login, cast, flaggers, flag, create_thread, create_reply, space_mod
):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.member, body="Buy cheap watches at example.com")
    for flagger in flaggers:
        flag(reply, flagger)
    assert _kinds(app, cast.member)[-1] == "moderation_decision"
    login(client, cast.member)
    centre = page_text(client.get("/notifications"))
    assert "A moderator hid “" in centre


@pytest.mark.parametrize("app_config", [{"NEW_ACCOUNT_LIMITS": True, "NEW_ACCOUNT_POSTS": 3}])
def test_held_posts_are_not_announced_and_hidden_ones_not_shown(
    app, client, login, cast, flaggers, flag, create_thread, create_reply
):
    thread = create_thread(cast.space, cast.asker)  # the asker watches their thread
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    before = _kinds(app, cast.asker)
    held = create_reply(thread, cast.member, body="A first reply, held")
    with app.app_context():
        assert db.session.get(type(held), held.id).hidden_at is not None
    assert _kinds(app, cast.asker) == before  # not announced while held
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = False
        db.session.commit()
    spam = create_reply(thread, cast.expert, body="Spam later hidden")
    assert _kinds(app, cast.asker)[-1] == "reply"
    for flagger in flaggers:
        flag(spam, flagger)
    login(client, cast.asker)
    assert "This is no longer available to you." in page_text(client.get("/notifications"))


@pytest.mark.parametrize("app_config", [{"NEW_ACCOUNT_LIMITS": True, "NEW_ACCOUNT_POSTS": 3}])
def test_held_posts_are_announced_once_approved(
    app, login, cast, create_thread, create_reply, space_mod, follow, approve
):
    from community.moderation.models import ModerationCase

    thread = create_thread(cast.space, cast.asker)  # the asker watches their thread
    follow(cast.expert, "space", cast.space.id, "watching")
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    asker, owner, expert = (_kinds(app, u) for u in (cast.asker, cast.owner, cast.expert))
    reply = create_reply(thread, cast.member, body=f"Thanks @{cast.owner.username}, it works")
    held_thread = create_thread(cast.space, cast.member, title="A held question")
    assert (_kinds(app, cast.asker), _kinds(app, cast.owner)) == (asker, owner)
    assert _kinds(app, cast.expert) == expert
    moderator = app.test_client()
    login(moderator, space_mod)
    with app.app_context():
        cases = dict(
            db.session.execute(
                db.select(ModerationCase.target_type, ModerationCase.id).where(
                    ModerationCase.held.is_(True)
                )
            ).all()
        )
    for kind in ("post", "thread"):
        response = approve(moderator, cases[kind], "Fine")
        assert response.status_code == 302
    assert _kinds(app, cast.asker)[len(asker) :] == ["reply"]
    assert _kinds(app, cast.owner)[len(owner) :] == ["mention"]
    assert "new_thread" in _kinds(app, cast.expert)[len(expert) :]
    with app.app_context():
        told = db.session.scalar(
            db.select(Notification).where(
                Notification.user_id == cast.asker.id, Notification.kind == "reply"
            )
        )
        assert told.post_id == reply.id and held_thread.id != thread.id
