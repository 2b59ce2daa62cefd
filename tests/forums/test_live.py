"""Live threads: a reply is announced after its commit to those allowed to read the thread,
and to no one else; the page then asks for the replies it has not shown, rendered."""

from __future__ import annotations

from community.extensions import db, socketio
from community.forums.events import NAMESPACE
from community.spaces.models import Space


def reader(app, client):
    return socketio.test_client(app, namespace=NAMESPACE, flask_test_client=client)


def _watch(io, thread_id) -> bool:
    answer = io.emit("watch", {"thread": thread_id}, namespace=NAMESPACE, callback=True)
    assert answer["ok"] is True, answer
    return answer["watching"]


def _received(io) -> list[tuple[str, dict]]:
    return [(r["name"], r["args"][0]) for r in io.get_received(NAMESPACE)]


def test_readers_hear_of_each_reply(app, client, cast, create_thread, login):
    thread = create_thread(cast.space, cast.asker)
    anonymous = reader(app, app.test_client())
    assert _watch(anonymous, thread.id) is True
    login(client, cast.expert)
    client.submit(f"/t/{thread.id}/reply", {"body": "Calibrate with the phantom."})
    [(name, message)] = _received(anonymous)
    assert name == "reply"
    assert message["thread"] == thread.id and message["author"] == cast.expert.id

    # The page asks for what it has not shown: the reply, rendered and sanitised as saved.
    new = app.test_client().get(f"/t/{thread.id}/new-replies?after={thread.id}").get_json()
    assert "Calibrate with the phantom." in new["html"] and new["more"] is False
    assert new["last"] == message["post"]
    again = app.test_client().get(f"/t/{thread.id}/new-replies?after={new['last']}").get_json()
    assert again["html"].strip() == "" and again["last"] == new["last"]


def test_replies_are_rendered_sanitised(app, client, cast, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker)
    create_reply(thread, cast.member, body="<script>alert(1)</script> **bold**")
    html = client.get(f"/t/{thread.id}/new-replies?after=1").get_json()["html"]
    assert "<script>" not in html and "<strong>bold</strong>" in html


def test_private_threads_are_not_told_to_outsiders(
    app, client, create_space, create_user, add_member, create_thread, space_owner, login
):
    space = create_space("Board", visibility="private")
    thread = create_thread(space, space_owner)
    outsider = app.test_client()
    login(outsider, create_user())
    sneaky = reader(app, outsider)
    assert _watch(sneaky, thread.id) is False
    anonymous = reader(app, app.test_client())
    assert _watch(anonymous, thread.id) is False
    member = create_user()
    add_member(space, member)
    login(client, member)
    client.submit(f"/t/{thread.id}/reply", {"body": "Secret plans."})
    assert _received(sneaky) == [] and _received(anonymous) == []
    assert outsider.get(f"/t/{thread.id}/new-replies?after=1").status_code == 404
    assert app.test_client().get(f"/t/{thread.id}/new-replies?after=1").status_code == 404


def test_losing_access_stops_the_news(
    app, create_space, create_user, add_member, create_thread, space_owner, login
):
    space = create_space("Skunkworks", visibility="private")
    leaver, stayer = create_user(), create_user()
    for user in (leaver, stayer):
        add_member(space, user)
    thread = create_thread(space, space_owner)
    clients, sockets = {}, {}
    for name, user in (("leaver", leaver), ("stayer", stayer)):
        clients[name] = app.test_client()
        login(clients[name], user)
        sockets[name] = reader(app, clients[name])
        assert _watch(sockets[name], thread.id) is True

    clients["leaver"].submit(f"/s/{space.slug}/leave")
    assert _received(sockets["leaver"]) == [("recheck", {"space": space.id})]
    assert _watch(sockets["leaver"], thread.id) is False
    _received(sockets["stayer"])
    assert _watch(sockets["stayer"], thread.id) is True
    clients["stayer"].submit(f"/t/{thread.id}/reply", {"body": "Still here."})
    assert [name for name, _m in _received(sockets["stayer"])] == ["reply"]
    assert _received(sockets["leaver"]) == []


def test_a_space_turned_private_stops_those_let_in_before(
    app, cast, create_thread, login, space_owner
):
    from tests.ideas.test_live import _make_private

    thread = create_thread(cast.space, cast.asker)
    anonymous = reader(app, app.test_client())
    assert _watch(anonymous, thread.id) is True
    _make_private(app, cast.space, space_owner)
    # Told to check again; whether it does or not, it hears nothing more.
    assert _received(anonymous) == [("recheck", {"space": cast.space.id})]
    member = app.test_client()
    login(member, cast.member)
    member.submit(f"/t/{thread.id}/reply", {"body": "Now private."})
    assert _received(anonymous) == []
    assert _watch(anonymous, thread.id) is False


def test_held_replies_are_not_announced(app, client, cast, create_thread, login, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_ACCOUNT_LIMITS", True)
    monkeypatch.setitem(app.config, "NEW_ACCOUNT_POSTS", 3)
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    thread = create_thread(cast.space, cast.owner)
    anonymous = reader(app, app.test_client())
    assert _watch(anonymous, thread.id) is True
    login(client, cast.member)
    client.submit(f"/t/{thread.id}/reply", {"body": "Held for approval."})
    assert _received(anonymous) == []
    assert (
        "Held for approval"
        not in app.test_client().get(f"/t/{thread.id}/new-replies?after=1").get_json()["html"]
    )
    # Its author sees it on the page as held.
    assert (
        "Held for approval" in client.get(f"/t/{thread.id}/new-replies?after=1").get_json()["html"]
    )


def test_bad_watch_requests_are_refused(app, client):
    io = reader(app, client)
    bad = (None, "x", {"thread": "1"}, {"thread": [1]}, {"thread": True}, {"thread": 2**31})
    more = ({"thread": 1.0}, {"thread": -1}, {"thread": 0}, {}, {"thread": {"id": 1}})
    after = tuple(
        {"thread": 1, "after": value} for value in (-1, 2**31, "1", True, 1.5, [1], "\x00")
    )
    for data in bad + more + after:
        answer = io.emit("watch", data, namespace=NAMESPACE, callback=True)
        assert answer["ok"] is False, data
    assert _watch(io, 2_000_000_000) is False


def test_watching_again_brings_the_replies_missed_meanwhile(
    app, client, cast, create_thread, create_reply, login
):
    """A page that may have missed pushes watches again with the last reply it shows, and the
    answer names the replies by others since, as pushes announce them: not its reader's own,
    nor deleted or held ones."""
    thread = create_thread(cast.space, cast.asker)
    shown = create_reply(thread, cast.expert, body="Shown on the page.")
    login(client, cast.member)
    io = reader(app, client)

    missed = create_reply(thread, cast.expert, body="Posted while the page was offline.")
    create_reply(thread, cast.member, body="The reader's own, from another tab.")
    gone = create_reply(thread, cast.expert, body="Taken back.")
    with app.test_request_context():
        from community.accounts.models import User
        from community.forums import operations
        from community.forums.models import Post

        operations.delete_post(
            db.session.get(Post, gone.id), by=db.session.get(User, cast.expert.id)
        )
        db.session.commit()

    answer = io.emit(
        "watch", {"thread": thread.id, "after": shown.id}, namespace=NAMESPACE, callback=True
    )
    assert answer == {"ok": True, "watching": True, "replies": [missed.id]}
    # From the start (a page that shows no reply yet), and without ``after``: nothing asked.
    answer = io.emit("watch", {"thread": thread.id, "after": 0}, namespace=NAMESPACE, callback=True)
    assert answer["replies"] == [shown.id, missed.id]
    assert _watch(io, thread.id) is True
    assert (
        io.emit("watch", {"thread": thread.id}, namespace=NAMESPACE, callback=True)["replies"] == []
    )


def test_outsiders_watching_again_learn_of_no_reply(
    app, client, create_space, create_user, create_thread, create_reply, space_owner, login
):
    space = create_space("Board", visibility="private")
    thread = create_thread(space, space_owner)
    create_reply(thread, space_owner, body="Members only.")
    login(client, create_user())
    io = reader(app, client)
    answer = io.emit("watch", {"thread": thread.id, "after": 0}, namespace=NAMESPACE, callback=True)
    assert answer == {"ok": True, "watching": False, "replies": []}


def test_bad_new_reply_requests_are_refused(app, client, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    for query in ("", "?after=", "?after=x", "?after=-1", "?after=99999999999", "?after=1.5"):
        assert client.get(f"/t/{thread.id}/new-replies{query}").status_code == 400, query
    assert client.get(f"/t/{thread.id}/new-replies?after=%00").status_code == 400
    assert client.get("/t/2147483647/new-replies?after=1").status_code == 404


def test_replies_shown_in_place_bring_the_count_of_now(
    app, client, cast, create_thread, create_reply
):
    question = create_thread(cast.space, cast.asker)
    create_reply(question, cast.expert, body="Check the phantom.")
    new = client.get(f"/t/{question.id}/new-replies?after={question.id}").get_json()
    assert "1 answer" in new["count"] and "answers" not in new["count"]
    create_reply(question, cast.member, body="And the kernel.")
    create_reply(question, cast.asker, body="Thanks, trying both.")
    count = client.get(f"/t/{question.id}/new-replies?after={new['last']}").get_json()["count"]
    assert "2 answers" in count and "1 follow-up by the asker" in count


def test_the_count_is_in_the_readers_language(
    app, client, create_user, cast, create_thread, create_reply, login
):
    thread = create_thread(cast.space, cast.asker, kind="discussion")
    for body in ("One.", "Two."):
        create_reply(thread, cast.member, body=body)
    login(client, create_user(locale="zh_Hans"))
    count = client.get(f"/t/{thread.id}/new-replies?after=1").get_json()["count"]
    assert "2 条回复" in count, count
