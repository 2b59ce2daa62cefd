"""New-account limits and holding new members' posts for approval."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.accounts.models import User
from community.database import utcnow
from community.extensions import db
from community.forums.models import Post, Thread
from community.spaces.models import Space
from tests.fixtures.app import page_text

LIMITS = {
    "NEW_ACCOUNT_LIMITS": True,
    "NEW_ACCOUNT_DAYS": 2,
    "NEW_ACCOUNT_POSTS": 3,
    "NEW_ACCOUNT_MAX_LINKS": 1,
    "NEW_ACCOUNT_MAX_MENTIONS": 1,
    "NEW_ACCOUNT_POSTS_PER_DAY": 3,
}
pytestmark = pytest.mark.parametrize("app_config", [LIMITS])


def _age(app, user, days: int) -> None:
    with app.app_context():
        db.session.get(User, user.id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def _posts(app, user) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Post.id)).where(Post.author_id == user.id))


def test_too_many_links_are_refused_with_a_clear_message(app, client, login, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    body = "See https://a.example and https://b.example"
    response = client.submit(f"/t/{thread.id}/reply", {"body": body}, follow_redirects=True)
    assert "New accounts may put at most 1 link in a post" in page_text(response)
    assert _posts(app, cast.member) == 0
    response = client.submit(
        f"/s/{cast.space.slug}/new",
        {"kind": "discussion", "title": "Links", "body": body},
    )
    assert response.status_code == 200 and "at most 1 link" in page_text(response)
    assert _posts(app, cast.member) == 0


def test_too_many_mentions_are_refused(app, client, login, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    response = client.submit(
        f"/t/{thread.id}/reply", {"body": "@erik and @casey look"}, follow_redirects=True
    )
    assert "may mention at most 1 person" in page_text(response)
    assert _posts(app, cast.member) == 0


def test_posts_per_day_are_capped_until_the_account_graduates(
    app, cast, create_thread, create_reply
):
    from community.errors import OperationError

    thread = create_thread(cast.space, cast.asker)
    for _n in range(3):
        create_reply(thread, cast.member)
    with pytest.raises(OperationError, match="a day"):
        create_reply(thread, cast.member)
    assert _posts(app, cast.member) == 3
    # Old enough and three posts written: graduated, no caps.
    _age(app, cast.member, 3)
    create_reply(thread, cast.member, body="https://a.example https://b.example")
    assert _posts(app, cast.member) == 4


def test_old_accounts_without_posts_are_still_new(app, cast, create_thread):
    from community.errors import OperationError

    _age(app, cast.member, 30)
    with pytest.raises(OperationError, match="link"):
        create_thread(cast.space, cast.member, body="https://a.example https://b.example")


def test_held_posts_wait_for_approval(
    app, client, login, cast, space_mod, create_thread, audit, approve
):
    moderator = app.test_client()
    login(moderator, space_mod)
    response = moderator.submit(
        f"/s/{cast.space.slug}/moderation/settings", {"hold_new_posts": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Space, cast.space.id).hold_new_posts
    thread = create_thread(cast.space, space_mod)
    login(client, cast.member)
    client.submit(f"/t/{thread.id}/reply", {"body": "My first reply here"})
    reader = app.test_client()
    assert "My first reply here" not in page_text(reader.get(f"/t/{thread.id}"))
    queue = page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))
    assert "Held for approval" in queue and "My first reply here" in queue
    with app.app_context():
        post = db.session.scalar(db.select(Post).where(Post.author_id == cast.member.id))
        from community.moderation.models import ModerationCase

        case = db.session.scalar(
            db.select(ModerationCase).where(
                ModerationCase.target_type == "post", ModerationCase.target_id == post.id
            )
        )
        case_id = case.id
    approve(moderator, case_id, "Welcome!")
    assert "My first reply here" in page_text(reader.get(f"/t/{thread.id}"))
    actions = [e.action for e in audit()]
    assert actions == ["settings", "hold", "approve"]


def test_moderators_threads_are_not_held(app, cast, space_mod, create_thread, hidden):
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    thread = create_thread(cast.space, space_mod)
    assert not hidden(thread)
    held = create_thread(cast.space, cast.member)
    assert hidden(held)
    with app.app_context():
        assert db.session.get(Thread, held.id).hidden_at is not None


def test_an_edit_cannot_add_what_a_new_post_may_not_have(
    app, client, login, cast, create_thread, create_reply
):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.member, body="Plain words")
    login(client, cast.member)
    body = "See https://a.example and https://b.example"
    response = client.submit(f"/posts/{reply.id}/edit", {"body": body})
    assert response.status_code == 200
    assert "New accounts may put at most 1 link in a post" in page_text(response)
    response = client.submit(f"/posts/{reply.id}/edit", {"body": "@erik and @casey look"})
    assert "may mention at most 1 person" in page_text(response)
    with app.app_context():
        assert db.session.get(Post, reply.id).body_source == "Plain words"
