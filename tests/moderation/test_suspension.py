"""Suspension: admins only; the account can't sign in, write over HTTP, or act over an open
socket, whose connections are closed."""

from __future__ import annotations

from community.brainstorms.models import Note, Phase
from community.extensions import db
from community.forums.models import Post
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import page_text


def _suspend(client, user, reason="Repeated spam", days="7"):
    return client.submit(
        f"/moderation/people/{user.username}/suspend", {"reason": reason, "days": days}
    )


def test_only_admins_suspend(app, login, cast, space_mod, create_user, reload_user):
    from community.permissions import Role

    site_mod = create_user("sid", role=Role.MODERATOR)
    for user in (space_mod, site_mod, cast.expert):
        client = app.test_client()
        login(client, user)
        assert _suspend(client, cast.member).status_code == 403
    assert not reload_user(cast.member).is_suspended


def test_a_suspension_needs_a_reason_and_days(app, login, admin, cast, reload_user):
    client = app.test_client()
    login(client, admin)
    response = _suspend(client, cast.member, reason="")
    assert "Give a reason" in page_text(client.get(response.location))
    response = _suspend(client, cast.member, days="0")
    assert "from 1 to 3650" in page_text(client.get(response.location))
    assert not reload_user(cast.member).is_suspended


def test_a_suspended_user_can_write_nothing(
    app, client, login, admin, cast, create_thread, reload_user, audit
):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)  # an open session from before the suspension
    moderator = app.test_client()
    login(moderator, admin)
    assert _suspend(moderator, cast.member).status_code == 302
    assert reload_user(cast.member).is_suspended
    [event] = audit("suspend")
    assert event.reason == "Repeated spam" and event.after["suspended_until"]
    assert event.before["suspended_until"] is None
    response = client.submit(f"/t/{thread.id}/reply", {"body": "Still here"})
    assert response.status_code == 302 and "/login" in response.location
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(Post.id)).where(Post.author_id == cast.member.id)
            )
            == 0
        )
    fresh = app.test_client()
    response = fresh.submit("/login", {"login": cast.member.username, "password": PASSWORD})
    assert response.status_code == 200 and "suspended until" in page_text(response)
    # Lifted: they may sign in again.
    moderator.submit(f"/moderation/people/{cast.member.username}/unsuspend", {"reason": "Appeal"})
    response = fresh.submit("/login", {"login": cast.member.username, "password": PASSWORD})
    assert response.status_code == 302


def test_suspension_closes_open_sockets_and_refuses_their_events(
    app, cast, people, board, create_brainstorm, to_phase, admin, login
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    assert member.send("join", {"session": session_id})["ok"]
    moderator = app.test_client()
    login(moderator, admin)
    _suspend(moderator, cast.member)
    assert not member.io.is_connected("/brainstorm")


def test_an_open_socket_of_a_suspended_user_writes_nothing(
    app, cast, people, board, create_brainstorm, to_phase
):
    from datetime import timedelta

    from community.accounts.models import User
    from community.database import utcnow

    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    with app.app_context():  # suspended behind the socket's back (e.g. by another process)
        db.session.get(User, cast.member.id).suspended_until = utcnow() + timedelta(days=1)
        db.session.commit()
    reply = member.send("add_note", {"session": session_id, "text": "Still here?"})
    assert reply["ok"] is False
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Note.id))) == 0
