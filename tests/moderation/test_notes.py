"""Brainstorm notes can be flagged from the live board: enough members' flags (or one from a
moderator) take a note off every board, a moderator's approval puts it back, and the board's
other events refuse a hidden note."""

from __future__ import annotations

import pytest

from community.brainstorms.models import Note, Phase
from community.extensions import db
from community.moderation.models import Flag, ModerationCase
from community.notifications.models import Notification
from tests.fixtures.app import page_text


@pytest.fixture
def live(app, cast, flaggers, login, board, create_brainstorm, to_phase):
    """A named session in grouping with one note by the cast's member; returns a namespace
    with the session id, the note id and boards for the member, the expert (facilitator) and
    the three flaggers, all joined."""

    class Live:
        pass

    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    live = Live()
    live.session = session_id
    clients = {}
    for name, user in [("member", cast.member), ("expert", cast.expert)] + [
        (f"f{n}", user) for n, user in enumerate(flaggers)
    ]:
        client = app.test_client()
        login(client, user)
        clients[name] = board(client)
        assert clients[name].send("join", {"session": session_id})["ok"]
    reply = clients["member"].send("add_note", {"session": session_id, "text": "Buy my course"})
    live.note = reply["note"]["id"]
    to_phase(session_id, Phase.GROUP)
    for b in clients.values():
        b.received()
    live.boards = clients
    return live


def _flag(board, live, reason="spam", comment=""):
    return board.send(
        "flag_note",
        {"session": live.session, "note": live.note, "reason": reason, "comment": comment},
    )


def _note(app, note_id) -> Note:
    with app.app_context():
        note = db.session.get(Note, note_id)
        db.session.expunge(note)
        return note


def test_three_flags_take_a_note_off_every_board(app, cast, live, audit):
    assert _flag(live.boards["f0"], live)["ok"]
    assert _flag(live.boards["f1"], live, reason="off_topic", comment="an advert")["ok"]
    assert _note(app, live.note).hidden_at is None
    assert _flag(live.boards["f2"], live)["ok"]
    assert _note(app, live.note).hidden_at is not None
    for name in ("expert", "f0", "member"):
        assert ("note_deleted", {"id": live.note}) in live.boards[name].received()
    state = live.boards["expert"].send("join", {"session": live.session})["state"]
    assert live.note not in [n["id"] for n in state["notes"]]
    assert state["note_count"] == 0
    [event] = audit("hide")
    assert event.target_type == "note" and event.target_id == live.note
    assert event.before["text"] == "Buy my course" and event.after["hidden"] is True
    with app.app_context():
        case = db.session.scalar(
            db.select(ModerationCase).where(ModerationCase.target_type == "note")
        )
        assert case.space_id == cast.space.id and case.author_id == cast.member.id
        assert case.flag_count == 3 and case.notes == ["an advert"]
        told = db.session.scalar(
            db.select(Notification).where(Notification.user_id == cast.member.id)
            .order_by(Notification.id.desc()).limit(1)
        )  # fmt: skip
        assert told.kind == "moderation_decision" and told.session_id == live.session


def test_a_moderators_flag_hides_at_once_and_approval_brings_it_back(
    app, cast, live, space_mod, login, board, audit, approve
):
    client = app.test_client()
    login(client, space_mod)
    mod_board = board(client)
    assert mod_board.send("join", {"session": live.session})["ok"]
    assert _flag(mod_board, live, reason="abuse")["ok"]
    assert _note(app, live.note).hidden_at is not None
    assert ("note_deleted", {"id": live.note}) in live.boards["f0"].received()
    with app.app_context():
        case_id = db.session.scalar(
            db.select(ModerationCase.id).where(ModerationCase.target_type == "note")
        )
    page = page_text(client.get(f"/moderation/cases/{case_id}"))
    assert "Buy my course" in page and "Brainstorm note" in page
    response = approve(client, case_id, "Not an ad")
    assert response.status_code == 302
    assert _note(app, live.note).hidden_at is None
    changes = dict(live.boards["f0"].received())
    assert changes["note"]["id"] == live.note and changes["note"]["text"] == "Buy my course"
    assert [e.reason for e in audit("approve")] == ["Not an ad"]


def test_a_hidden_note_takes_no_dots_and_leaves_the_results(
    app, cast, live, space_mod, flag, to_phase
):
    flag(_note(app, live.note), space_mod)
    to_phase(live.session, Phase.VOTE)
    reply = live.boards["f0"].send("add_dot", {"session": live.session, "note": live.note})
    assert reply["ok"] is False
    to_phase(live.session, Phase.RESULTS)
    state = live.boards["f0"].send("join", {"session": live.session})["state"]
    assert state["results"] == []


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"reason": "nonsense"}, "Choose why"),
        ({"reason": 7}, "not understood"),
        ({"reason": "spam", "comment": "x" * 600}, "at most 500"),
        ({"reason": "spam", "note": 999999}, "isn't on this board"),
    ],
)
def test_bad_flags_are_refused_and_change_nothing(app, live, payload, message):
    data = {"session": live.session, "note": live.note, **payload}
    reply = live.boards["f0"].send("flag_note", data)
    assert reply["ok"] is False and message in reply["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Flag.id))) == 0


def test_no_one_flags_their_own_note_twice_or_unseen(
    app, cast, live, board, people, create_brainstorm, to_phase
):
    own = live.boards["member"].send(
        "flag_note", {"session": live.session, "note": live.note, "reason": "spam"}
    )
    assert own["ok"] is False
    assert _flag(live.boards["f0"], live)["ok"]
    again = _flag(live.boards["f0"], live)
    assert again["ok"] is False and "already flagged" in again["error"]
    # While ideation is hidden, nobody else can see (and so flag) a note.
    hidden_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=True)
    to_phase(hidden_id, Phase.IDEATE)
    writer = board(people["member"])
    writer.send("join", {"session": hidden_id})
    note_id = writer.send("add_note", {"session": hidden_id, "text": "Secret"})["note"]["id"]
    other = board(people["asker"])
    assert other.send("join", {"session": hidden_id})["ok"]
    reply = other.send("flag_note", {"session": hidden_id, "note": note_id, "reason": "spam"})
    assert reply["ok"] is False
    with app.app_context():
        assert db.session.scalar(
            db.select(db.func.count(Flag.id)).join(ModerationCase)
            .where(ModerationCase.target_id == note_id)
        ) == 0  # fmt: skip


def test_flagging_needs_the_board_joined(app, live, people, board):
    outsider = board(people["outsider"])
    reply = outsider.send(
        "flag_note", {"session": live.session, "note": live.note, "reason": "spam"}
    )
    assert reply["ok"] is False


def test_the_flag_page_and_the_note_link(app, client, login, cast, live, flaggers):
    login(client, flaggers[0])
    page = page_text(client.get(f"/flag/note/{live.note}"))
    assert "Buy my course" in page and "How could onboarding be faster?" in page
    response = client.submit(f"/flag/note/{live.note}", {"reason": "spam"})
    assert response.status_code == 302 and f"/sessions/{live.session}" in response.location
    assert client.get(f"/sessions/notes/{live.note}").location.endswith(f"/sessions/{live.session}")
    login(client, cast.outsider)
    assert client.get(f"/flag/note/{live.note}").status_code == 200  # a public space
    assert client.get("/sessions/notes/999999").status_code == 404


def test_a_private_spaces_notes_are_not_there_for_outsiders(
    app, client, login, cast, create_space, create_user, add_member, create_brainstorm, to_phase,
    board,
):  # fmt: skip
    from community.spaces.models import SpaceRole

    private = create_space("Secret lab", visibility="private")
    lead = create_user("lead")
    add_member(private, lead, role=SpaceRole.EXPERT)
    session_id = create_brainstorm(private, lead, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    lead_client = app.test_client()
    login(lead_client, lead)
    lead_board = board(lead_client)
    lead_board.send("join", {"session": session_id})
    note_id = lead_board.send("add_note", {"session": session_id, "text": "Internal"})["note"]["id"]
    login(client, cast.outsider)
    assert client.get(f"/flag/note/{note_id}").status_code == 404
    assert client.submit(f"/flag/note/{note_id}", {"reason": "spam"}).status_code == 404
    assert client.get(f"/sessions/notes/{note_id}").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Flag.id))) == 0
