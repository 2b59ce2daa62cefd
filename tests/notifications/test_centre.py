"""The notification centre, marking read, the live count, and the delivery-time re-check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.events import NAMESPACE as ME
from community.extensions import db, socketio
from community.forums import operations as forums
from community.forums.models import Thread
from community.notifications.models import Notification
from community.spaces.models import Space
from tests.fixtures.app import page_text


@pytest.fixture
def scene(create_space, create_user, add_member, create_thread, follow):
    """Alice watches Bob's thread in a public space."""
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, bob, title="Calibrating the detector")
    follow(alice, "thread", thread.id, "watching")
    return space, alice, bob, thread


def test_centre_lists_notifications_and_opening_one_goes_to_the_post(
    scene, client, login, create_reply, notifications_of
):
    _space, alice, bob, thread = scene
    reply = create_reply(thread, bob, body="Use the phantom.")
    login(client, alice)
    page = client.get("/notifications")
    assert "Bob replied in “Calibrating the detector”" in page_text(page)
    assert "data-notification-count>1<" in page.get_data(as_text=True)
    note = notifications_of(alice)[0]
    assert client.post(f"/notifications/{note.id}/open").status_code == 400  # no CSRF token
    assert notifications_of(alice)[0].read_at is None
    response = client.submit(f"/notifications/{note.id}/open")
    assert response.location.endswith(f"/t/{thread.id}#post-{reply.id}")
    assert notifications_of(alice)[0].read_at is not None


def test_others_notifications_are_not_there(
    scene, client, login, create_user, create_reply, notifications_of
):
    _space, alice, bob, thread = scene
    create_reply(thread, bob)
    login(client, create_user("mallory"))
    note = notifications_of(alice)[0]
    assert client.submit(f"/notifications/{note.id}/open").status_code == 404
    assert client.get(f"/notifications/{note.id}").status_code == 404


def test_the_unread_count_is_asked_again_by_a_tab_that_missed_pushes(
    scene, client, login, create_user, create_reply, notifications_of
):
    """``notifications.js`` asks after a reconnect or a ``resync``: the signed-in user's own
    count only; anonymous visitors are sent to sign in."""
    _space, alice, bob, thread = scene
    create_reply(thread, bob)
    create_reply(thread, bob)
    assert client.get("/notifications/unread").status_code == 302
    mallory = client.application.test_client()
    login(mallory, create_user("mallory"))
    assert mallory.get("/notifications/unread").get_json() == {"count": 0}
    login(client, alice)
    assert client.get("/notifications/unread").get_json() == {"count": 2}
    client.submit("/notifications/read")
    assert client.get("/notifications/unread").get_json() == {"count": 0}


def test_mark_all_read_needs_csrf(scene, client, login, create_reply, notifications_of):
    _space, alice, bob, thread = scene
    create_reply(thread, bob)
    create_reply(thread, bob)
    login(client, alice)
    client.post("/notifications/read")
    assert all(n.read_at is None for n in notifications_of(alice))
    client.submit("/notifications/read")
    assert all(n.read_at is not None for n in notifications_of(alice))


def test_moved_to_a_private_space_the_notification_is_hidden(
    app, scene, client, login, create_space, create_reply, space_owner
):
    _space, alice, bob, thread = scene
    create_reply(thread, bob, body="Secret calibration numbers")
    hidden = create_space(visibility="private")
    with app.test_request_context():
        from community.accounts.models import User

        forums.move_thread(
            db.session.get(Thread, thread.id),
            db.session.get(Space, hidden.id),
            by=db.session.get(User, space_owner.id),
            reason="Belongs there",
        )
        db.session.commit()
    login(client, alice)
    text = page_text(client.get("/notifications"))
    assert "Calibrating the detector" not in text
    assert "no longer available" in text


def test_the_centre_runs_the_same_queries_for_3_and_30_mixed_notifications(
    app,
    client,
    login,
    create_space,
    create_user,
    add_member,
    create_thread,
    create_reply,
    create_idea,
    set_status,
    site_admin,
    follow,
    count_queries,
):
    alice, bob = create_user("alice"), create_user("bob")

    def make(n: int) -> None:
        for i in range(n):
            space = create_space()
            add_member(space, alice)
            add_member(space, bob)
            if i % 3 == 0:
                thread = create_thread(space, bob)
                follow(alice, "thread", thread.id, "watching")
                create_reply(thread, bob, body=f"@alice number {i}")
            elif i % 3 == 1:
                idea = create_idea(space, bob)
                follow(alice, "idea", idea.id, "normal")
                set_status(idea, "planned", site_admin)
            else:
                follow(alice, "space", space.id, "watching")
                create_thread(space, bob)

    login(client, alice)
    make(3)
    with count_queries() as few:
        assert client.get("/notifications").status_code == 200
    make(27)
    with count_queries() as many:
        assert client.get("/notifications").status_code == 200
    assert len(few) == len(many)


def test_the_header_count_costs_one_query(scene, client, login, create_reply, count_queries):
    _space, alice, bob, thread = scene
    login(client, alice)
    with count_queries() as before:
        client.get("/spaces")
    create_reply(thread, bob)
    with count_queries() as after:
        page = client.get("/spaces")
    assert len(before) == len(after)
    assert sum("FROM notifications" in q for q in after) == 1
    assert "data-notification-count>1<" in page.get_data(as_text=True)


def test_a_socket_in_the_users_room_receives_the_count(app, scene, client, login, create_reply):
    _space, alice, bob, thread = scene
    login(client, alice)
    io = socketio.test_client(app, namespace=ME, flask_test_client=client)
    assert io.is_connected(ME)
    io.get_received(ME)
    create_reply(thread, bob, body="Live!")
    pushed = [m["args"][0] for m in io.get_received(ME) if m["name"] == "notifications"]
    assert pushed and pushed[-1]["count"] == 1
    assert "Bob replied" in pushed[-1]["item"]["text"]
    io.disconnect(ME)


def test_no_push_when_the_reader_lost_access(
    app, scene, client, login, create_reply, notifications_of
):
    space, alice, bob, thread = scene
    login(client, alice)
    io = socketio.test_client(app, namespace=ME, flask_test_client=client)
    io.get_received(ME)
    with app.test_request_context():
        db.session.get(Space, space.id).visibility = "private"
        db.session.execute(select(Notification))  # keep the session busy like a request
        db.session.commit()
    with app.test_request_context():
        from community.spaces.models import Membership

        db.session.query(Membership).filter_by(user_id=alice.id).delete()
        db.session.commit()
    create_reply(thread, bob)
    assert notifications_of(alice) == []  # not made either: she cannot read it
    assert [m for m in io.get_received(ME) if m["name"] == "notifications"] == []
    io.disconnect(ME)


def test_a_tab_whose_session_ended_hears_nothing_even_if_left_open(
    app, scene, login, create_reply, monkeypatch
):
    """Signed out in one browser, while another server process keeps that browser's tab
    open a moment longer (its disconnect not yet arrived): pushes go to live sessions only."""
    import community.web.live

    monkeypatch.setattr(community.web.live, "close_sessions", lambda session_ids: None)
    _space, alice, bob, thread = scene
    shared, own = app.test_client(), app.test_client()
    login(shared, alice)
    login(own, alice)
    stale = socketio.test_client(app, namespace=ME, flask_test_client=shared)
    live = socketio.test_client(app, namespace=ME, flask_test_client=own)
    shared.submit("/logout")
    assert stale.is_connected(ME)
    stale.get_received(ME)
    live.get_received(ME)
    create_reply(thread, bob, body="Only for the live tab")
    assert [m for m in stale.get_received(ME) if m["name"] == "notifications"] == []
    pushed = [m["args"][0] for m in live.get_received(ME) if m["name"] == "notifications"]
    assert pushed and "Bob replied" in pushed[-1]["item"]["text"]


def test_anonymous_sockets_are_refused(app, client):
    io = socketio.test_client(app, namespace=ME, flask_test_client=client)
    assert not io.is_connected(ME)


def test_banned_from_a_private_space_the_notification_is_hidden(
    app,
    client,
    login,
    create_space,
    create_user,
    add_member,
    create_thread,
    create_reply,
    follow,
):
    from community.spaces.models import Membership, MembershipState

    space = create_space(visibility="private")
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, bob, title="Members-only pricing")
    follow(alice, "thread", thread.id, "watching")
    create_reply(thread, bob)
    login(client, alice)
    assert "Members-only pricing" in page_text(client.get("/notifications"))
    with app.app_context():
        membership = db.session.query(Membership).filter_by(user_id=alice.id).one()
        membership.state = MembershipState.BANNED.value
        db.session.commit()
    text = page_text(client.get("/notifications"))
    assert "Members-only pricing" not in text and "no longer available" in text
