"""The board's wire protocol: each committed change is one small patch with the next revision,
kept for a while; a client that missed some (a dropped message, a reconnect, another server
process) asks for the patches since its revision and gets exactly those, or the full state when
they are gone. Hostile revisions are refused or answered with the full state; nothing changes."""

from __future__ import annotations

import os
import traceback

import pytest
from sqlalchemy import func, select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.brainstorms import notes as note_ops
from community.brainstorms import operations
from community.brainstorms.models import PATCH_WINDOW, BrainstormSession, Patch, Phase
from community.database import ID_MAX
from community.extensions import db
from community.permissions import Role
from community.spaces import operations as spaces
from tests.ideas.test_concurrency import _app, database_url, run_together  # noqa: F401

PASSWORD = "correct horse battery"


def _revision(app, session_id: int) -> int:
    with app.app_context():
        return db.session.get(BrainstormSession, session_id).revision


def _kept(app, session_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Patch.revision)
                .where(Patch.session_id == session_id)
                .order_by(Patch.revision)
            )
        )


def test_a_client_that_missed_patches_gets_exactly_those(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    watcher, member = board(people["asker"]), board(people["member"])
    seen = watcher.send("join", {"session": session_id})["state"]["revision"]
    member.send("join", {"session": session_id})
    watcher.messages()
    seen += 1
    first = member.send("add_note", {"session": session_id, "text": "First"})["note"]
    member.send("edit_note", {"session": session_id, "note": first["id"], "text": "First!"})
    member.send("add_note", {"session": session_id, "text": "Second"})
    # Two notes and an edit.
    sent = [p for name, p in watcher.messages() if name == "update"]
    assert [u["revision"] for u in sent] == list(range(seen + 1, seen + 4))
    # Every revision is kept as it was sent.
    assert _kept(app, session_id)[-3:] == [u["revision"] for u in sent]

    # The watcher's browser lost the second and third messages: it asks since the first.
    reply = watcher.send("join", {"session": session_id, "since": sent[0]["revision"]})
    assert "state" not in reply
    assert reply["patches"] == sent[1:]
    assert reply["own"]["mine"] == []
    # Nothing was missed: no patches, and no revision is used by asking.
    reply = watcher.send("join", {"session": session_id, "since": sent[-1]["revision"]})
    assert reply["patches"] == []
    assert _revision(app, session_id) == sent[-1]["revision"]
    assert watcher.messages() == []


def test_reconnecting_with_an_old_revision_catches_up_with_patches(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member, writer = board(people["member"]), board(people["asker"])
    writer.send("join", {"session": session_id})
    mine = member.send("join", {"session": session_id})["state"]
    note = member.send("add_note", {"session": session_id, "text": "Mine"})["note"]
    drawn = [p for name, p in member.messages() if name == "update"][-1]["revision"]
    member.io.disconnect(namespace="/brainstorm")  # a network drop, a laptop lid closed
    writer.send("add_note", {"session": session_id, "text": "Meanwhile"})
    again = board(people["member"])
    reply = again.send("join", {"session": session_id, "since": drawn})
    # Patches: the member leaving, the note added meanwhile; the member's arrival comes as
    # the next update, in the room it joined.
    kinds = [[kind for kind, _ in p["changes"]] for p in reply["patches"]]
    assert kinds == [["presence"], ["note"]]
    assert reply["patches"][1]["changes"][0][1]["text"] == "Meanwhile"
    assert reply["own"]["mine"] == [note["id"]]
    (name, arrival), *_ = again.messages()
    assert name == "update" and arrival["revision"] == reply["patches"][-1]["revision"] + 1
    assert mine["revision"] < drawn


def test_too_old_or_impossible_revisions_get_the_full_state(
    app, cast, people, board, create_brainstorm, to_phase, monkeypatch
):
    from community.brainstorms import outbox

    monkeypatch.setattr(outbox, "PRUNE_EVERY", 1)
    monkeypatch.setattr(outbox, "PATCH_WINDOW", 3)
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    other_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    start = member.send("join", {"session": session_id})["state"]["revision"]
    for n in range(6):
        member.send("add_note", {"session": session_id, "text": f"Note {n}"})
    now = _revision(app, session_id)
    assert _kept(app, session_id) == list(range(now - 2, now + 1))
    # Too old: the patches it needs were pruned.
    state = member.send("join", {"session": session_id, "since": start})["state"]
    assert state["revision"] == now and len(state["notes"]) == 6
    # Ahead of the board (another session's revision, a restored database): the full state.
    to_phase(other_id, Phase.CLOSED)
    for since in (now + 1, ID_MAX):
        reply = member.send("join", {"session": session_id, "since": since})
        assert reply["state"]["revision"] == now
    assert member.send("join", {"session": session_id, "since": now - 1})["patches"][0][
        "revision"
    ] == (now)
    assert _revision(app, session_id) == now


@pytest.mark.parametrize(
    "since", [-1, "3", 2.5, True, ID_MAX + 1, 10**30, [1], {"r": 1}, "\x00", "\ud800"]
)
def test_hostile_revisions_are_refused_and_change_nothing(
    app, cast, people, board, create_brainstorm, to_phase, since
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    before = _revision(app, session_id)
    kept = _kept(app, session_id)
    member.messages()
    reply = member.send("join", {"session": session_id, "since": since})
    assert reply["ok"] is False and reply["error"]
    assert _revision(app, session_id) == before and _kept(app, session_id) == kept
    assert member.messages() == []


def test_an_outsider_cannot_read_a_boards_patches(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    member.send("add_note", {"session": session_id, "text": "Members only"})
    outsider = board(people["outsider"])  # signed in, not a member of the space
    reply = outsider.send("join", {"session": session_id, "since": 0})
    assert reply["ok"] is False and "Members only" not in str(reply)


def test_one_transaction_uses_one_revision(app_ctx, cast, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    session = db.session.get(BrainstormSession, session_id)
    member = db.session.get(User, cast.member.id)
    before = session.revision
    note_ops.add_note(session, author=member, text="One")
    note_ops.add_note(session, author=member, text="Two")
    db.session.commit()
    assert session.revision == before + 1
    patch = db.session.scalar(
        select(Patch).where(Patch.session_id == session_id, Patch.revision == before + 1)
    )
    assert [kind for kind, _ in patch.changes] == ["note", "note"]


# Writers in several processes at once hand out each revision once, in order, with its patch.
WRITERS = 4
NOTES_EACH = 8


def _write_notes(url, search_dir, username, session_id, barrier, results) -> None:
    try:
        app = _app(url, search_dir)
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == username))
            barrier.wait()
            for n in range(NOTES_EACH):
                session = db.session.get(BrainstormSession, session_id)
                note_ops.add_note(session, author=user, text=f"{username} {n}")
                db.session.commit()
            db.session.remove()
            db.engine.dispose()
        results.put(("ok", os.getpid()))
    except BaseException:
        results.put(("error", traceback.format_exc()))
        barrier.abort()


@pytest.mark.race
def test_writers_in_many_processes_never_share_a_revision(database_url, tmp_path):  # noqa: F811
    app = _app(database_url, str(tmp_path / "search"))
    names = [f"writer{n}" for n in range(WRITERS)]
    with app.test_request_context():
        owner = accounts.register_user(
            username="owner",
            email="owner@example.com",
            display_name="Owner",
            password=PASSWORD,
            role=Role.MODERATOR,
        )
        space = spaces.create_space(
            name="Board", description="", visibility="public", tags="", by=owner
        )
        for name in names:
            user = accounts.register_user(
                username=name, email=f"{name}@example.com", display_name=name, password=PASSWORD
            )
            spaces.join_space(space, user)
        session = operations.create_session(
            space, by=owner, prompt="Faster?", hidden_ideation=False
        )
        operations.advance_phase(session, by=owner)
        db.session.commit()
        session_id, start = session.id, session.revision
        db.session.remove()
        db.engine.dispose()
    search = str(tmp_path / "search")
    run_together(
        __name__, _write_notes, [(database_url, search, name, session_id) for name in names]
    )
    with app.app_context():
        total = WRITERS * NOTES_EACH
        assert db.session.get(BrainstormSession, session_id).revision == start + total
        kept = list(
            db.session.scalars(
                select(Patch.revision)
                .where(Patch.session_id == session_id, Patch.revision > start)
                .order_by(Patch.revision)
            )
        )
        assert kept == list(range(start + 1, start + total + 1))
        assert db.session.scalar(select(func.count(Patch.id))) <= total + PATCH_WINDOW
        db.session.remove()
        db.engine.dispose()


def test_the_facilitator_learns_how_many_participants_have_unsent_notes(
    app, cast, people, board, create_brainstorm
):
    session_id = create_brainstorm(cast.space, cast.expert, anonymous=True)
    facilitator, member, asker = (
        board(people["expert"]),
        board(people["member"]),
        board(people["asker"]),
    )
    for ws in (facilitator, member, asker):
        ws.send("join", {"session": session_id})
    facilitator.messages()
    assert member.send("unsent", {"session": session_id, "unsent": True}) == {"ok": True}
    assert asker.send("unsent", {"session": session_id, "unsent": True}) == {"ok": True}
    presence = [p for kind, p in facilitator.received() if kind == "presence"]
    assert [p["unsent"] for p in presence] == [1, 2]
    # Anonymous: a count, never who.
    assert "people" not in presence[-1]
    # Saying it again changes nothing and uses no revision.
    before = _revision(app, session_id)
    assert member.send("unsent", {"session": session_id, "unsent": True}) == {"ok": True}
    assert _revision(app, session_id) == before and facilitator.messages() == []
    # The facilitator's own composer does not count.
    facilitator.send("unsent", {"session": session_id, "unsent": True})
    assert dict(facilitator.received())["presence"]["unsent"] == 2
    member.send("unsent", {"session": session_id, "unsent": False})
    assert dict(facilitator.received())["presence"]["unsent"] == 1
    # Leaving the board takes one out of the count; it is kept for when they come back.
    asker.io.disconnect(namespace="/brainstorm")
    assert dict(facilitator.received())["presence"]["unsent"] == 0
    state = board(people["asker"]).send("join", {"session": session_id})["state"]
    assert state["presence"]["unsent"] == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"unsent": "yes"}, {"unsent": 1}, {"unsent": None}, {"unsent": [True]}],
)
def test_hostile_unsent_reports_are_refused(app, cast, people, board, create_brainstorm, data):
    session_id = create_brainstorm(cast.space, cast.expert)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    before = _revision(app, session_id)
    reply = member.send("unsent", {"session": session_id, **data})
    if data == {}:  # not given: "no unsent text", which it already was
        assert reply == {"ok": True}
    else:
        assert reply["ok"] is False and reply["error"]
    assert _revision(app, session_id) == before


def test_unsent_needs_the_board_joined_and_a_member(app, cast, people, board, create_brainstorm):
    session_id = create_brainstorm(cast.space, cast.expert)
    other_id = create_brainstorm(cast.space, cast.expert)
    member, outsider = board(people["member"]), board(people["outsider"])
    member.send("join", {"session": session_id})
    before = _revision(app, other_id)
    assert member.send("unsent", {"session": other_id, "unsent": True})["ok"] is False
    assert outsider.send("unsent", {"session": session_id, "unsent": True})["ok"] is False
    assert _revision(app, other_id) == before


def test_unsent_reports_are_throttled(app, cast, people, board, create_brainstorm, monkeypatch):
    from community.brainstorms import events

    monkeypatch.setattr(events, "UNSENT_BURST", 3)
    session_id = create_brainstorm(cast.space, cast.expert)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    replies = [
        member.send("unsent", {"session": session_id, "unsent": n % 2 == 0}) for n in range(5)
    ]
    assert [r["ok"] for r in replies] == [True, True, True, False, False]


def test_a_note_taken_off_the_board_is_never_replayed_to_someone_catching_up(
    app, cast, people, board, create_brainstorm, to_phase
):
    from community.brainstorms.models import Note
    from community.moderation import operations as moderation

    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member, watcher = board(people["member"]), board(people["asker"])
    start = watcher.send("join", {"session": session_id})["state"]["revision"]
    member.send("join", {"session": session_id})
    note = member.send("add_note", {"session": session_id, "text": "Rude words"})["note"]
    member.send("add_note", {"session": session_id, "text": "Kind words"})
    assert "Rude words" in str(watcher.send("join", {"session": session_id, "since": start}))
    with app.test_request_context():
        # A flag from someone who moderates the space hides the note at once.
        moderation.flag_content(
            db.session.get(Note, note["id"]), by=db.session.get(User, cast.owner.id), reason="spam"
        )
        db.session.commit()
    now = _revision(app, session_id)
    assert _kept(app, session_id) == [now]
    reply = watcher.send("join", {"session": session_id, "since": start})
    assert "Rude words" not in str(reply)
    assert [n["text"] for n in reply["state"]["notes"]] == ["Kind words"]
    assert watcher.send("join", {"session": session_id, "since": now - 1})["patches"][0][
        "changes"
    ] == [["note_deleted", {"id": note["id"]}]]
