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
        "votes": {str(idea.id): 0},
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


def test_watching_again_brings_the_counts_missed_meanwhile(
    app, cast, create_idea, create_space, space_owner, login
):
    """A page that may have missed pushes (it reconnected, or the server said ``resync``)
    watches again, and the answer has the counts of now: only of the ideas it may see."""
    idea, other = create_idea(cast.space, cast.asker), create_idea(cast.space, cast.member)
    hidden = create_idea(create_space("Board", visibility="private"), space_owner)
    anonymous = watcher(app, app.test_client())
    everything = [idea.id, other.id, hidden.id]
    answer = anonymous.emit("watch", {"ideas": everything}, namespace=NAMESPACE, callback=True)
    assert answer["votes"] == {str(idea.id): 0, str(other.id): 0}
    anonymous.disconnect(namespace=NAMESPACE)  # the page is offline meanwhile

    for voter in (cast.expert, cast.member):
        browser = app.test_client()
        login(browser, voter)
        browser.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})

    again = watcher(app, app.test_client())
    answer = again.emit("watch", {"ideas": everything}, namespace=NAMESPACE, callback=True)
    assert answer == {
        "ok": True,
        "watching": sorted([idea.id, other.id]),
        "votes": {str(idea.id): 2, str(other.id): 0},
    }


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


# Access that changes while a page is open --------------------------------------------------


def _received(io) -> list[tuple[str, dict]]:
    return [(r["name"], r["args"][0]) for r in io.get_received(NAMESPACE)]


def _watch(io, *ideas) -> list[int]:
    return io.emit("watch", {"ideas": list(ideas)}, namespace=NAMESPACE, callback=True)["watching"]


def _make_private(app, space, owner):
    from community.accounts.models import User
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with app.test_request_context():
        fresh = db.session.get(Space, space.id)
        spaces.update_space(
            fresh,
            name=fresh.name,
            description=fresh.description,
            visibility="private",
            tags=fresh.tag_names,
            slug=fresh.slug,
            by=db.session.get(User, owner.id),
        )
        db.session.commit()


def test_a_space_turned_private_stops_the_counts_of_those_let_in_before(
    app, cast, create_idea, create_user, login, space_owner
):
    idea = create_idea(cast.space, cast.asker)
    anonymous = watcher(app, app.test_client())
    outsider_client = app.test_client()
    login(outsider_client, cast.outsider)
    outsider = watcher(app, outsider_client)
    member_client = app.test_client()
    login(member_client, cast.member)
    member = watcher(app, member_client)
    for io in (anonymous, outsider, member):
        assert _watch(io, idea.id) == [idea.id]

    _make_private(app, cast.space, space_owner)
    voter = app.test_client()
    login(voter, cast.expert)
    voter.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})

    # Everyone is told to check again; only the member is let in again, and only the
    # member hears the count.
    for io in (anonymous, outsider, member):
        assert _received(io) == [("recheck", {"space": cast.space.id})]
    assert _watch(anonymous, idea.id) == [] and _watch(outsider, idea.id) == []
    assert _watch(member, idea.id) == [idea.id]
    voter.submit(f"/ideas/{idea.id}/vote", {"vote": "0"})
    assert _received(member) == [("votes", {"idea": idea.id, "votes": 0})]
    assert _received(anonymous) == [] and _received(outsider) == []


def test_who_leaves_or_is_banned_from_a_private_space_hears_no_more(
    app, create_space, create_user, add_member, create_idea, space_owner, login
):
    space = create_space("Skunkworks", visibility="private")
    leaver, banned, stayer = create_user(), create_user(), create_user()
    for user in (leaver, banned, stayer):
        add_member(space, user)
    idea = create_idea(space, space_owner)
    clients, sockets = {}, {}
    for name, user in (("leaver", leaver), ("banned", banned), ("stayer", stayer)):
        clients[name] = app.test_client()
        login(clients[name], user)
        sockets[name] = watcher(app, clients[name])
        assert _watch(sockets[name], idea.id) == [idea.id]

    clients["leaver"].submit(f"/s/{space.slug}/leave")
    owner = app.test_client()
    login(owner, space_owner)
    owner.submit(f"/s/{space.slug}/members/{banned.id}/ban", {"reason": "Leaking"})
    clients["stayer"].submit(f"/ideas/{idea.id}/vote", {"vote": "1"})

    # The two refused, however they answer the recheck: a connection that ignores it
    # still hears nothing, because the counts go to the room of the readers of now.
    assert _watch(sockets["leaver"], idea.id) == []
    for name in ("leaver", "banned"):
        assert all(kind == "recheck" for kind, _payload in _received(sockets[name]))
    assert _watch(sockets["stayer"], idea.id) == [idea.id]
    clients["stayer"].submit(f"/ideas/{idea.id}/vote", {"vote": "0"})
    assert ("votes", {"idea": idea.id, "votes": 0}) in _received(sockets["stayer"])
    for name in ("leaver", "banned"):
        assert [kind for kind, _payload in _received(sockets[name])] == []


def test_a_former_admin_stops_hearing_private_spaces_they_do_not_belong_to(
    app, create_space, create_user, add_member, create_idea, space_owner, login
):
    from community.permissions import Role

    space = create_space("Board room", visibility="private")
    member = create_user()
    add_member(space, member)
    idea = create_idea(space, space_owner)
    admin, boss = create_user(role=Role.ADMIN), create_user(role=Role.ADMIN)
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_socket = watcher(app, admin_client)
    assert _watch(admin_socket, idea.id) == [idea.id]

    boss_client = app.test_client()
    login(boss_client, boss)
    boss_client.submit(f"/admin/users/{admin.id}/role", {"role": "member"})
    member_client = app.test_client()
    login(member_client, member)
    member_client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    assert _received(admin_socket) == [("recheck", {"space": space.id})]
    assert _watch(admin_socket, idea.id) == []


def test_signing_out_closes_the_watch_on_private_ideas(
    app, create_space, create_user, add_member, create_idea, space_owner, login
):
    space = create_space("Quiet room", visibility="private")
    member = create_user()
    add_member(space, member)
    idea = create_idea(space, space_owner)
    client = app.test_client()
    login(client, member)
    io = watcher(app, client)
    assert _watch(io, idea.id) == [idea.id]
    client.submit("/logout")
    assert not io.is_connected(NAMESPACE)
    # Watching again, now signed out, finds nothing to watch.
    again = watcher(app, client)
    assert _watch(again, idea.id) == []


def test_bad_unwatch_requests_are_harmless(app, client, cast, create_idea):
    idea = create_idea(cast.space, cast.asker)
    ws = watcher(app, client)
    assert _watch(ws, idea.id) == [idea.id]
    for data in (None, "x", {"ideas": "1"}, {"ideas": [[idea.id]]}, {"ideas": [True, 2**80]}):
        reply = ws.emit("unwatch", data, namespace=NAMESPACE, callback=True)
        assert reply == {"ok": False, "error": "That request was not understood."}, data
    assert (
        ws.emit("watch", {"ideas": [2**80, -1, 0, True]}, namespace=NAMESPACE, callback=True)["ok"]
        is False
    )
    assert _watch(ws, idea.id) == [idea.id]  # still watching: nothing was left


# What the idea page asks for again after a vote ---------------------------------------------


def test_supporters_follow_the_vote(app, client, cast, create_idea, create_user, login):
    idea = create_idea(cast.space, cast.asker)
    voter = create_user(display_name="Vera Voter")
    login(client, voter)
    before = client.get(f"/ideas/{idea.id}/supporters").get_json()
    assert before["votes"] == 0
    assert "No votes yet" in before["supporters"]
    assert "Stop following" not in before["follow"]
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    after = client.get(f"/ideas/{idea.id}/supporters").get_json()
    assert after["votes"] == 1
    assert "Vera Voter" in after["supporters"] and "No votes yet" not in after["supporters"]
    # A vote follows the idea; the control's form returns to the idea page, not to this URL.
    assert "Stop following" in after["follow"]
    assert f'name="next" value="/ideas/{idea.id}"' in after["follow"]


def test_supporters_of_hidden_things_are_not_there(
    app, client, create_space, create_user, create_idea, space_owner, login
):
    space = create_space("Board", visibility="private")
    idea = create_idea(space, space_owner)
    assert client.get(f"/ideas/{idea.id}/supporters").status_code == 404
    login(client, create_user())
    assert client.get(f"/ideas/{idea.id}/supporters").status_code == 404
    assert client.get("/ideas/2147483647/supporters").status_code == 404
    assert client.get("/ideas/99999999999/supporters").status_code == 404
    assert client.get("/ideas/-1/supporters").status_code == 404


def test_the_vote_count_says_vote_for_one(app, client, cast, create_idea, vote_for, create_user):
    idea = create_idea(cast.space, cast.asker)
    vote_for(idea, create_user())
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert ">1</strong>" in page and ">vote</span>" in page


# An idea's co-design discussion is live as a thread is: its page watches the thread over
# /threads, and shows new replies in place through the thread's new-replies.


def _thread_reader(app, client):
    from community.forums.events import NAMESPACE as THREADS

    return socketio.test_client(app, namespace=THREADS, flask_test_client=client)


def _watch_thread(io, thread_id) -> bool:
    from community.forums.events import NAMESPACE as THREADS

    answer = io.emit("watch", {"thread": thread_id}, namespace=THREADS, callback=True)
    assert answer["ok"] is True, answer
    return answer["watching"]


def _heard(io) -> list[tuple[str, dict]]:
    from community.forums.events import NAMESPACE as THREADS

    return [(r["name"], r["args"][0]) for r in io.get_received(THREADS)]


def test_the_idea_page_reads_its_discussion_live(app, client, cast, create_idea, login):
    idea = create_idea(cast.space, cast.asker)
    page = app.test_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'data-thread-live="{idea.thread_id}"' in page
    assert f"/t/{idea.thread_id}/new-replies" in page and "js/thread.js" in page
    anonymous = _thread_reader(app, app.test_client())
    assert _watch_thread(anonymous, idea.thread_id) is True
    login(client, cast.member)
    client.submit(f"/t/{idea.thread_id}/reply", {"body": "It should **export** too."})
    [(name, message)] = _heard(anonymous)
    assert name == "reply" and message["thread"] == idea.thread_id
    new = app.test_client().get(f"/t/{idea.thread_id}/new-replies?after=0").get_json()
    assert "<strong>export</strong>" in new["html"] and new["last"] == message["post"]
    assert "1 reply" in new["count"]


def test_a_private_ideas_discussion_reaches_only_its_readers(
    app, client, create_space, create_user, add_member, create_idea, space_owner, login
):
    space = create_space("Secret Lab", visibility="private")
    idea = create_idea(space, space_owner, title="Quantum widget", body="Top secret plan.")
    outsider = app.test_client()
    login(outsider, create_user())
    sneaky, anonymous = _thread_reader(app, outsider), _thread_reader(app, app.test_client())
    assert _watch_thread(sneaky, idea.thread_id) is False
    assert _watch_thread(anonymous, idea.thread_id) is False
    member = create_user()
    add_member(space, member)
    login(client, member)
    insider = _thread_reader(app, client)
    assert _watch_thread(insider, idea.thread_id) is True
    client.submit(f"/t/{idea.thread_id}/reply", {"body": "The secret reply."})
    assert _heard(sneaky) == [] and _heard(anonymous) == []
    assert [name for name, _m in _heard(insider)] == ["reply"]
    for visitor in (outsider, app.test_client()):
        for url in (
            f"/t/{idea.thread_id}/new-replies?after=0",
            f"/ideas/{idea.id}",
            f"/ideas/{idea.id}/supporters",
        ):
            response = visitor.get(url)
            assert response.status_code == 404, url
            body = response.get_data(as_text=True)
            assert "secret" not in body.lower() and "Quantum" not in body

    # The member leaves: told to check again, and hears nothing more.
    client.submit(f"/s/{space.slug}/leave")
    assert _heard(insider) == [("recheck", {"space": space.id})]
    assert _watch_thread(insider, idea.thread_id) is False


def test_a_held_ideas_discussion_is_not_watched_by_others(
    app, client, cast, create_user, login, monkeypatch
):
    from community.extensions import db
    from community.ideas.models import Idea
    from community.spaces.models import Space

    monkeypatch.setitem(app.config, "NEW_ACCOUNT_LIMITS", True)
    monkeypatch.setitem(app.config, "NEW_ACCOUNT_POSTS", 3)
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    login(client, cast.member)
    client.submit(f"/s/{cast.space.slug}/ideas/new", {"title": "Held for now", "body": "Waiting."})
    with app.app_context():
        idea = db.session.scalar(db.select(Idea).where(Idea.author_id == cast.member.id))
        assert idea.held
        thread_id = idea.thread_id
    other = app.test_client()
    login(other, cast.asker)
    assert _watch_thread(_thread_reader(app, other), thread_id) is False
    assert other.get(f"/t/{thread_id}/new-replies?after=0").status_code == 404
    assert _watch_thread(_thread_reader(app, client), thread_id) is True
