"""The facilitator's room: hard and soft timers (server time is the authority), a moderator
taking over from a facilitator who is gone, and the settings the facilitator may still change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from community.accounts.models import User
from community.brainstorms import operations
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.spaces.models import SpaceRole

TIME_UP = "Time is up. The facilitator can extend the phase."


def _run_out(app, session_id: int) -> None:
    """The current phase's time ran out (by the server's clock) a moment ago."""
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        session.phase_ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def _texts(app, session_id: int) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                db.select(Note.text).where(Note.session_id == session_id, Note.deleted_at.is_(None))
            )
        )


def test_a_hard_timer_stops_new_and_edited_notes_until_the_facilitator_extends(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    state = member.send("join", {"session": session_id})["state"]
    assert state["settings"]["timer_mode"] == "hard"
    note = member.send("add_note", {"session": session_id, "text": "In time"})["note"]
    _run_out(app, session_id)
    member.received()
    assert member.send("add_note", {"session": session_id, "text": "Too late"}) == {
        "ok": False,
        "error": TIME_UP,
    }
    edit = {"session": session_id, "note": note["id"], "text": "Changed late"}
    assert member.send("edit_note", edit)["error"] == TIME_UP
    assert member.received() == []  # refused: nothing was sent, nothing stored
    assert _texts(app, session_id) == ["In time"]
    # Extending reopens it, from now.
    assert facilitator.send("extend", {"session": session_id, "minutes": 2}) == {"ok": True}
    phase = dict(member.received())["phase"]
    ends = datetime.fromisoformat(phase["ends_at"])
    assert timedelta(seconds=100) < ends - datetime.fromisoformat(phase["now"])
    assert member.send("add_note", {"session": session_id, "text": "After extending"})["ok"]
    assert member.send("edit_note", edit)["ok"]
    assert _texts(app, session_id) == ["After extending", "Changed late"]


def test_a_hard_timer_stops_dots_and_a_soft_one_stops_nothing(
    app, cast, people, board, create_brainstorm, to_phase
):
    hard = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    soft = create_brainstorm(cast.space, cast.expert, hidden_ideation=False, timer_mode="soft")
    member = board(people["member"])
    notes = {}
    for session_id in (hard, soft):
        to_phase(session_id, Phase.IDEATE)
        member.send("join", {"session": session_id})
        notes[session_id] = member.send("add_note", {"session": session_id, "text": "Idea"})[
            "note"
        ]["id"]
        to_phase(session_id, Phase.VOTE)
        _run_out(app, session_id)
    assert member.send("add_dot", {"session": hard, "note": notes[hard]}) == {
        "ok": False,
        "error": TIME_UP,
    }
    assert member.send("add_dot", {"session": soft, "note": notes[soft]})["ok"]
    # Soft: ideation goes on after the time too.
    late = create_brainstorm(cast.space, cast.expert, timer_mode="soft")
    to_phase(late, Phase.IDEATE)
    _run_out(app, late)
    member.send("join", {"session": late})
    assert member.send("add_note", {"session": late, "text": "Still welcome"})["ok"]


def test_a_paused_clock_never_runs_out(app_ctx, cast, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    session = db.session.get(BrainstormSession, session_id)
    expert = db.session.get(User, cast.expert.id)
    operations.pause_phase(session, by=expert)
    session.paused_seconds = 1
    db.session.commit()
    assert not session.time_is_up and not session.closed_by_clock
    session.phase_ends_at = utcnow() - timedelta(seconds=5)  # not how a pause looks, but:
    assert not session.time_is_up  # a paused clock never expires
    db.session.rollback()


def test_the_timer_mode_is_checked(app_ctx, cast):
    from community.spaces.models import Space

    space = db.session.get(Space, cast.space.id)
    expert = db.session.get(User, cast.expert.id)
    for bad in ("HARD", "", None, 1, "sort"):
        with pytest.raises(OperationError, match="hard or a soft"):
            operations.create_session(space, by=expert, prompt="Why?", timer_mode=bad)


def test_a_moderator_takes_over_from_a_facilitator_who_dropped_out(
    app, cast, people, board, login, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    owner_client = app.test_client()
    login(owner_client, cast.owner)
    facilitator, member, owner = (
        board(people["expert"]),
        board(people["member"]),
        board(owner_client),
    )
    for ws in (facilitator, member, owner):
        ws.send("join", {"session": session_id})
    presence = member.send("join", {"session": session_id})["state"]["presence"]
    assert presence["facilitator_here"] is True
    refused = (
        "Only a moderator of this space can take over, and only while the facilitator is away."
    )
    # Not while the facilitator is here.
    assert owner.send("take_over", {"session": session_id}) == {"ok": False, "error": refused}
    member.received()
    facilitator.send("leave", {"session": session_id})
    # Participants see the facilitator drop out.
    assert dict(member.received())["presence"]["facilitator_here"] is False
    # A member who is not a moderator cannot take over, nor the facilitator's own events work.
    assert member.send("take_over", {"session": session_id}) == {"ok": False, "error": refused}
    assert member.send("advance", {"session": session_id, "from": "ideate"})["ok"] is False
    assert owner.send("take_over", {"session": session_id}) == {"ok": True}
    settings = dict(member.received())["settings"]
    assert settings["facilitator"]["id"] == cast.owner.id
    assert owner.send("advance", {"session": session_id, "from": "ideate"})["ok"]
    # The old facilitator, back, is a participant now.
    facilitator.send("join", {"session": session_id})
    assert facilitator.send("advance", {"session": session_id, "from": "group"})["ok"] is False
    with app.app_context():
        assert db.session.get(BrainstormSession, session_id).facilitator_id == cast.owner.id


def test_outsiders_and_former_moderators_cannot_take_over(
    app, cast, people, board, login, create_user, add_member, create_brainstorm, to_phase
):
    from community.spaces.models import Membership

    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    former = create_user("formermod")
    add_member(cast.space, former, role=SpaceRole.MODERATOR)
    former_client = app.test_client()
    login(former_client, former)
    ws = board(former_client)
    assert ws.send("join", {"session": session_id})["ok"]
    with app.app_context():
        membership = db.session.scalar(
            db.select(Membership).where(
                Membership.space_id == cast.space.id, Membership.user_id == former.id
            )
        )
        db.session.delete(membership)
        db.session.commit()
    assert ws.send("take_over", {"session": session_id})["ok"] is False
    outsider = board(people["outsider"])
    assert outsider.send("take_over", {"session": session_id})["ok"] is False
    # Another session's board: joining one session does not open another.
    other = create_brainstorm(cast.space, cast.expert)
    assert ws.send("take_over", {"session": other})["ok"] is False
    for bad in ({"session": "1"}, {"session": -1}, {}, [], "x"):
        assert ws.send("take_over", bad)["ok"] is False
    with app.app_context():
        assert db.session.get(BrainstormSession, session_id).facilitator_id == cast.expert.id
