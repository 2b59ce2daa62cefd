"""The live board: joining gets the full state, every event is checked, nothing is stored or
sent on a refusal, and anonymity and hidden ideation hold in every payload."""

from __future__ import annotations

import json

import pytest

from community.brainstorms.models import Note, Phase
from community.extensions import db


def _notes(app, session_id):
    with app.app_context():
        return db.session.scalars(db.select(Note).where(Note.session_id == session_id)).all()


def test_anonymous_connections_are_refused(app, client, board):
    ws = board(client)
    assert not ws.io.is_connected("/brainstorm")


def test_join_needs_membership_and_sends_the_full_state(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    outsider = board(people["outsider"])
    assert outsider.send("join", {"session": session_id})["ok"] is False
    member = board(people["member"])
    assert member.send("join", {"session": session_id})["ok"]
    member.send("add_note", {"session": session_id, "text": "Fewer fields"})
    facilitator = board(people["expert"])
    reply = facilitator.send("join", {"session": session_id})
    state = reply["state"]
    assert state["phase"] == "ideate" and state["ends_at"] and state["facilitator"] is True
    assert [n["text"] for n in state["notes"]] == ["Fewer fields"]
    assert state["notes"][0]["author"]["name"] == cast.member.display_name
    assert state["notes"][0]["mine"] is False
    assert state["presence"]["count"] == 2
    assert {p["name"] for p in state["presence"]["people"]} == {
        cast.member.display_name,
        cast.expert.display_name,
    }
    # The member saw the facilitator arrive.
    assert ("presence", state["presence"]) in member.received()


def test_notes_reach_everyone_on_the_board(app, cast, people, board, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member, other = board(people["member"]), board(people["asker"])
    for ws in (member, other):
        ws.send("join", {"session": session_id})
    other.received()
    added = member.send("add_note", {"session": session_id, "text": "Fewer fields"})
    note_id = added["note"]["id"]
    assert added["note"]["mine"] is True
    assert member.send("edit_note", {"session": session_id, "note": note_id, "text": "No fields"})[
        "ok"
    ]
    assert member.send("delete_note", {"session": session_id, "note": note_id})["ok"]
    changes = [(name, payload.get("text")) for name, payload in other.received()]
    assert changes == [("note", "Fewer fields"), ("note", "No fields"), ("note_deleted", None)]


def test_anonymous_sessions_never_send_who_wrote_what(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, anonymous=True, hidden_ideation=True)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    sent = [facilitator.send("join", {"session": session_id})]
    sent.append(member.send("join", {"session": session_id}))
    sent.append(member.send("add_note", {"session": session_id, "text": "Secret wish"}))
    sent.append(member.send("done", {"session": session_id}))
    sent.append(facilitator.send("advance", {"session": session_id, "from": "ideate"}))
    sent.append(board(people["asker"]).send("join", {"session": session_id}))
    pushed = facilitator.received()
    everything = json.dumps(sent + member.received() + pushed)
    assert "Secret wish" in everything
    for person in (cast.member, cast.expert):
        assert person.display_name not in everything
        assert person.username not in everything
    assert '"author"' not in everything and '"people"' not in everything
    # After grouping starts the note reached the facilitator without an author.
    notes = [payload for name, payload in pushed if name == "notes"]
    assert [n["text"] for n in notes[0]["notes"]] == ["Secret wish"]
    assert all(set(n) == {"id", "text", "cluster"} for n in notes[0]["notes"])


def test_hidden_ideation_shows_others_notes_only_from_grouping(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=True)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    second_tab = board(people["member"])
    for ws in (facilitator, member, second_tab):
        ws.send("join", {"session": session_id})
    for ws in (facilitator, member, second_tab):
        ws.received()
    member.send("add_note", {"session": session_id, "text": "Only mine for now"})
    # Others learn how many notes there are, not what they say.
    assert facilitator.received() == [("note_count", {"count": 1})]
    # The author's other tab gets the note, and is told it is theirs.
    (count, own), *_rest = second_tab.received(), None
    assert count == ("note_count", {"count": 1})
    assert own[0] == "own" and [n["text"] for n in own[1]["notes"]] == ["Only mine for now"]
    assert own[1]["mine"] == [own[1]["notes"][0]["id"]]
    late = board(people["asker"])
    assert late.send("join", {"session": session_id})["state"]["notes"] == []
    assert facilitator.send("join", {"session": session_id})["state"]["notes"] == []
    assert facilitator.send("advance", {"session": session_id, "from": "ideate"})["ok"]
    received = dict(facilitator.received())
    assert received["phase"]["phase"] == "group" and received["phase"]["notes_hidden"] is False
    assert [n["text"] for n in received["notes"]["notes"]] == ["Only mine for now"]
    assert [n["text"] for n in dict(late.received())["notes"]["notes"]] == ["Only mine for now"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        [],
        {},
        {"session": "1"},
        {"session": True},
        {"session": 10**12},
        {"session": 99999},
    ],
)
def test_events_without_a_real_session_are_refused(app, cast, people, board, data):
    ws = board(people["member"])
    for event in ("join", "add_note", "edit_note", "delete_note", "advance", "done"):
        reply = ws.send(event, data)
        assert reply["ok"] is False and reply["error"]
    assert ws.received() == []


def test_bad_note_events_change_nothing_and_send_nothing(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    other_session = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    to_phase(other_session, Phase.IDEATE)
    member, watcher = board(people["member"]), board(people["asker"])
    # Acting before joining is refused.
    assert member.send("add_note", {"session": session_id, "text": "Hi"}) == {
        "ok": False,
        "error": "Join the session first.",
    }
    for ws in (member, watcher):
        ws.send("join", {"session": session_id})
    watcher.received()
    mine = member.send("add_note", {"session": session_id, "text": "Mine"})["note"]["id"]
    asker_ws = board(people["asker"])
    asker_ws.send("join", {"session": other_session})
    elsewhere = asker_ws.send("add_note", {"session": other_session, "text": "Elsewhere"})
    elsewhere_id = elsewhere["note"]["id"]
    watcher.received()
    refusals = [
        ("add_note", {"session": session_id}, "must be text"),
        ("add_note", {"session": session_id, "text": 42}, "must be text"),
        ("add_note", {"session": session_id, "text": "   "}, "Write something"),
        ("add_note", {"session": session_id, "text": "x" * 501}, "at most 500"),
        ("add_note", {"session": session_id, "text": "x" * 100_000}, "at most 500"),
        ("edit_note", {"session": session_id, "note": "1", "text": "x"}, "isn't on this board"),
        ("edit_note", {"session": session_id, "note": 99999, "text": "x"}, "isn't on this board"),
        ("edit_note", {"session": session_id, "note": elsewhere_id, "text": "x"}, "isn't on"),
        ("delete_note", {"session": session_id, "note": elsewhere_id}, "isn't on this board"),
        ("edit_note", {"session": session_id, "note": mine, "text": ""}, "Write something"),
        ("add_note", {"session": other_session, "text": "x"}, "Join the session first"),
        ("advance", {"session": session_id}, "may not do that"),
        ("extend", {"session": session_id, "minutes": 2}, "may not do that"),
        ("done", {"session": session_id, "done": "yes"}, "not understood"),
    ]
    for event, data, message in refusals:
        reply = member.send(event, data)
        assert reply["ok"] is False and message in reply["error"], (event, data, reply)
    # Someone else's note on this board cannot be changed either.
    theirs = watcher.send("add_note", {"session": session_id, "text": "Theirs"})["note"]["id"]
    member.received()
    watcher.received()
    for event in ("edit_note", "delete_note"):
        reply = member.send(event, {"session": session_id, "note": theirs, "text": "Gotcha"})
        assert reply == {"ok": False, "error": "You can only change your own notes."}
    assert member.received() == []
    assert sorted(n.text for n in _notes(app, session_id)) == ["Mine", "Theirs"]
    assert watcher.received() == []


def test_wrong_phase_and_after_close(app, cast, people, board, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert)
    facilitator, member = board(people["expert"]), board(people["member"])
    for ws in (facilitator, member):
        ws.send("join", {"session": session_id})
    lobby = member.send("add_note", {"session": session_id, "text": "Early"})
    assert lobby == {"ok": False, "error": "Notes can only be written while ideating."}
    assert facilitator.send("advance", {"session": session_id, "from": "group"})["ok"] is False
    assert facilitator.send("advance", {"session": session_id, "from": "lobby"}) == {
        "ok": True,
        "phase": "ideate",
    }
    assert facilitator.send("extend", {"session": session_id, "minutes": 3}) == {"ok": True}
    assert facilitator.send("extend", {"session": session_id, "minutes": 0})["ok"] is False
    to_phase(session_id, Phase.CLOSED)
    member.received()
    for event, data in (
        ("add_note", {"text": "Late"}),
        ("advance", {}),
        ("done", {"done": True}),
    ):
        ws = facilitator if event == "advance" else member
        reply = ws.send(event, {"session": session_id, **data})
        assert reply == {"ok": False, "error": "This session has ended."}
    assert member.received() == []
    # A past session can still be joined and read.
    assert member.send("join", {"session": session_id})["state"]["phase"] == "closed"


def test_done_flags_reach_the_facilitator_and_reset_each_phase(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    facilitator.received()
    assert member.send("done", {"session": session_id}) == {"ok": True, "done": True}
    presence = dict(facilitator.received())["presence"]
    assert presence["done"] == 1
    assert [p["done"] for p in presence["people"] if p["id"] == cast.member.id] == [True]
    facilitator.send("advance", {"session": session_id})
    assert dict(facilitator.received())["presence"]["done"] == 0


def test_leaving_and_disconnecting_update_presence(app, cast, people, board, create_brainstorm):
    session_id = create_brainstorm(cast.space, cast.expert)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    facilitator.received()
    member.io.disconnect(namespace="/brainstorm")
    assert dict(facilitator.received())["presence"]["count"] == 1
    again = board(people["member"])
    assert again.send("join", {"session": session_id})["state"]["presence"]["count"] == 2
    assert again.send("leave", {"session": session_id}) == {"ok": True}
    assert dict(facilitator.received())["presence"]["count"] == 1


def test_a_banned_member_can_send_nothing_further(
    app, cast, people, board, create_brainstorm, to_phase
):
    from community.spaces.models import Membership, MembershipState

    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    with app.app_context():
        membership = db.session.scalar(
            db.select(Membership).where(
                Membership.user_id == cast.member.id, Membership.space_id == cast.space.id
            )
        )
        membership.state = MembershipState.BANNED.value
        db.session.commit()
    reply = member.send("add_note", {"session": session_id, "text": "Still here?"})
    assert reply["ok"] is False
    assert _notes(app, session_id) == []


def test_leaving_the_space_disconnects_from_its_boards(
    app, cast, people, board, create_brainstorm, to_phase
):
    from community.accounts.models import User
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    facilitator.received()
    with app.test_request_context():
        spaces.ban_member(
            db.session.get(Space, cast.space.id),
            db.session.get(User, cast.member.id),
            by=db.session.get(User, cast.owner.id),
            reason="spam",
        )
        db.session.commit()
    assert not member.io.is_connected("/brainstorm")
    assert dict(facilitator.received())["presence"]["count"] == 1
    # Coming back is refused too.
    again = board(people["member"])
    assert again.send("join", {"session": session_id})["ok"] is False


def test_note_floods_are_stopped_per_connection(
    app, cast, people, board, create_brainstorm, to_phase, monkeypatch
):
    from community.brainstorms import events

    monkeypatch.setattr(events, "NOTE_BURST", 3)
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    replies = [member.send("add_note", {"session": session_id, "text": f"n{i}"}) for i in range(5)]
    assert [r["ok"] for r in replies] == [True, True, True, False, False]
    assert "very fast" in replies[-1]["error"]
    assert len(_notes(app, session_id)) == 3
    # Another connection has its own allowance.
    other_tab = board(people["member"])
    other_tab.send("join", {"session": session_id})
    assert other_tab.send("add_note", {"session": session_id, "text": "fresh"})["ok"]


def test_signing_out_closes_the_board_in_every_process_and_nothing_more_is_written(
    app, cast, people, board, create_brainstorm, to_phase, held_elsewhere
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    assert member.send("join", {"session": session_id})["ok"]
    # The member's other tab of the same browser, held by another server process.
    closed = held_elsewhere(session_id, cast.member)
    facilitator.received()
    people["member"].submit("/logout")

    assert not member.io.is_connected("/brainstorm")
    assert "held-elsewhere" in closed
    assert dict(facilitator.received())["presence"]["count"] == 1
    # The same browser, signed out, is refused at the door.
    again = board(people["member"])
    assert not again.io.is_connected("/brainstorm")
    assert _notes(app, session_id) == []


def test_a_stale_board_connection_after_sign_out_can_add_no_note(
    app, cast, people, board, create_brainstorm, to_phase, monkeypatch
):
    """Another process held the connection and its disconnect was lost: the note is still
    refused, because every event checks the session on the server."""
    import community.web.live

    monkeypatch.setattr(community.web.live, "close_sessions", lambda session_ids: None)
    monkeypatch.setattr(community.web.live, "close_connections", lambda sids, namespace: None)
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    people["member"].submit("/logout")
    assert member.io.is_connected("/brainstorm")
    reply = member.send("add_note", {"session": session_id, "text": "Still here?"})
    assert reply == {"ok": False, "error": "Your session has ended. Sign in again."}
    assert _notes(app, session_id) == []


def test_a_password_change_closes_the_boards_of_the_other_sessions(
    app, cast, people, board, create_brainstorm, login
):
    from tests.fixtures.accounts import PASSWORD

    session_id = create_brainstorm(cast.space, cast.expert)
    other = board(people["member"])
    assert other.send("join", {"session": session_id})["ok"]
    here = app.test_client()
    login(here, cast.member)
    new = "a brand new passphrase"
    here.submit(
        "/settings/password", {"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert not other.io.is_connected("/brainstorm")
    assert board(here).send("join", {"session": session_id})["ok"]


def test_an_admin_no_more_leaves_the_boards_of_spaces_they_do_not_belong_to(
    app, cast, board, create_brainstorm, create_user, login
):
    from community.permissions import Role

    session_id = create_brainstorm(cast.space, cast.expert)
    admin, boss = create_user(role=Role.ADMIN), create_user(role=Role.ADMIN)
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_board = board(admin_client)
    assert admin_board.send("join", {"session": session_id})["ok"]
    boss_client = app.test_client()
    login(boss_client, boss)
    boss_client.submit(f"/admin/users/{admin.id}/role", {"role": "member"})
    assert not admin_board.io.is_connected("/brainstorm")
    # Coming back, the guardian now says no.
    assert board(admin_client).send("join", {"session": session_id})["ok"] is False
