"""Live vote counts: pushed after commit to those allowed to see the idea, and no one else."""

from __future__ import annotations

from community.extensions import socketio
from community.ideas.events import NAMESPACE


def watcher(app, client):
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=client)


def test_watchers_see_the_count_change(app, client, cast, create_idea, create_user, login):
    idea = create_idea(cast.space, cast.asker)
    anonymous = watcher(app, app.test_client())
    assert anonymous.emit("watch", {"ideas": [idea.id]}, namespace=NAMESPACE, callback=True) == {
        "ok": True,
        "watching": [idea.id],
    }
    login(client, create_user())
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    received = anonymous.get_received(NAMESPACE)
    assert [(r["name"], r["args"][0]) for r in received] == [
        ("votes", {"idea": idea.id, "votes": 1})
    ]
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "0"})
    assert anonymous.get_received(NAMESPACE)[-1]["args"][0] == {"idea": idea.id, "votes": 0}


def test_private_ideas_cannot_be_watched_by_outsiders(
    app, client, create_space, create_user, add_member, create_idea, space_owner, login
):
    space = create_space("Board", visibility="private")
    idea = create_idea(space, space_owner)
    outsider = app.test_client()
    login(outsider, create_user())
    sneaky = watcher(app, outsider)
    assert (
        sneaky.emit("watch", {"ideas": [idea.id]}, namespace=NAMESPACE, callback=True)["watching"]
        == []
    )
    member = create_user()
    add_member(space, member)
    login(client, member)
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    assert sneaky.get_received(NAMESPACE) == []


def test_bad_watch_requests_are_refused(app, client):
    ws = watcher(app, client)
    bad = (None, "x", {"ideas": "1"}, {"ideas": list(range(1, 500))}, {"ideas": 5}, {})
    more = ({"ideas": [1, True]}, {"ideas": [2**31]}, {"ideas": [1.0]}, {"ideas": [{"id": 1}]})
    for data in bad + more:
        reply = ws.emit("watch", data, namespace=NAMESPACE, callback=True)
        assert reply == {"ok": False, "error": "That request was not understood."}, data
        assert ws.emit("unwatch", data, namespace=NAMESPACE, callback=True)["ok"] is False


def test_watch_after_the_visitor_left_is_harmless(app, client, cast, create_idea, monkeypatch):
    import community.ideas.events as events

    idea = create_idea(cast.space, cast.asker)

    def gone(room):
        raise ValueError("sid is not connected to requested namespace")

    monkeypatch.setattr(events, "join_room", gone)
    ws = watcher(app, client)
    assert ws.emit("watch", {"ideas": [idea.id]}, namespace=NAMESPACE, callback=True) == {
        "ok": False,
        "error": "This page is no longer connected.",
    }
