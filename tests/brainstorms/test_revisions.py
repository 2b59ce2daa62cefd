"""Live updates converge: one message per committed change, numbered without gaps; refusals
use no number; a (re)joining client's state says which revision it is at. The facilitator
pauses and resumes the clock, and open boards hear about ideas promoted from their results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.accounts.models import User
from community.brainstorms import operations, presence
from community.brainstorms.models import BrainstormSession, Phase
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db


def _revision(app, session_id: int) -> int:
    with app.app_context():
        return db.session.get(BrainstormSession, session_id).revision


def test_every_change_is_one_numbered_update_and_refusals_use_no_number(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    watcher, member = board(people["asker"]), board(people["member"])
    state = watcher.send("join", {"session": session_id})["state"]
    assert state["revision"] == _revision(app, session_id)
    # Its own arrival comes as an update too, at the state's revision (clients skip it).
    assert [(n, p["revision"]) for n, p in watcher.messages()] == [("update", state["revision"])]
    member.send("join", {"session": session_id})
    note = member.send("add_note", {"session": session_id, "text": "One"})["note"]
    member.send("edit_note", {"session": session_id, "note": note["id"], "text": "Two"})
    assert member.send("add_note", {"session": session_id, "text": " "})["ok"] is False
    assert (
        member.send("edit_note", {"session": session_id, "note": 999, "text": "x"})["ok"] is False
    )
    member.send("done", {"session": session_id})
    updates = [payload for name, payload in watcher.messages() if name == "update"]
    revisions = [u["revision"] for u in updates]
    # Joining, adding, editing and "done": four commits, four consecutive numbers.
    assert revisions == list(range(state["revision"] + 1, state["revision"] + 5))
    assert [[kind for kind, _ in u["changes"]] for u in updates] == [
        ["presence"],
        ["note"],
        ["note"],
        ["presence"],
    ]
    assert _revision(app, session_id) == revisions[-1]
    # A client that missed some asks again and is told where the board is now.
    again = watcher.send("join", {"session": session_id})["state"]
    assert again["revision"] == revisions[-1]
    assert [n["text"] for n in again["notes"]] == ["Two"]


def test_a_phase_change_is_one_update_with_everything_it_changed(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=True)
    to_phase(session_id, Phase.IDEATE)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    member.send("add_note", {"session": session_id, "text": "Hidden until grouping"})
    member.messages()
    facilitator.send("advance", {"session": session_id, "from": "ideate"})
    (name, update), *rest = member.messages()
    assert name == "update" and rest == []
    changes = dict(update["changes"])
    assert set(changes) == {"phase", "notes", "presence"}
    assert changes["phase"]["phase"] == "group"
    assert [n["text"] for n in changes["notes"]["notes"]] == ["Hidden until grouping"]


def test_own_messages_tell_an_anonymous_author_which_notes_are_theirs(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(
        cast.space,
        cast.expert,
        anonymous=True,
        hidden_ideation=False,
        dots_per_participant=2,
        dots_per_item=1,
        dot_totals="live",
    )
    to_phase(session_id, Phase.IDEATE)
    tab, other_tab, facilitator = (
        board(people["member"]),
        board(people["member"]),
        board(people["expert"]),
    )
    for ws in (tab, other_tab, facilitator):
        ws.send("join", {"session": session_id})
        ws.messages()
    note = tab.send("add_note", {"session": session_id, "text": "Mine, unsigned"})["note"]
    own = [payload for name, payload in other_tab.messages() if name == "own"]
    assert own[0]["mine"] == [note["id"]] and own[0]["notes"] is None
    assert own[0]["revision"] == _revision(app, session_id)
    assert all(name != "own" for name, _ in facilitator.messages())
    # Dots: totals to everyone, one's own only to one's tabs.
    to_phase(session_id, Phase.VOTE)
    tab.messages(), other_tab.messages(), facilitator.messages()
    assert tab.send("add_dot", {"session": session_id, "note": note["id"]})["ok"]
    own = [payload for name, payload in other_tab.messages() if name == "own"]
    assert own[-1]["my_dots"]["left"] == 1
    assert dict(facilitator.received())["tally"]["notes"] == {str(note["id"]): 1}


def test_the_facilitator_pauses_and_resumes_the_clock(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, ideate_minutes=10)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    assert facilitator.send("pause", {"session": session_id}) == {
        "ok": False,
        "error": "Only a timed phase has a clock to pause.",
    }
    facilitator.send("advance", {"session": session_id, "from": "lobby"})
    member.received()
    assert member.send("pause", {"session": session_id})["ok"] is False
    assert facilitator.send("pause", {"session": session_id}) == {"ok": True}
    phase = dict(member.received())["phase"]
    assert phase["paused"] is True and phase["ends_at"] is None
    assert 595 <= phase["seconds_left"] <= 600
    assert facilitator.send("pause", {"session": session_id})["error"] == (
        "The clock is already paused."
    )
    # Extending a paused clock adds to the time left; it stays paused.
    assert facilitator.send("extend", {"session": session_id, "minutes": 2}) == {"ok": True}
    phase = dict(member.received())["phase"]
    assert phase["paused"] is True and 715 <= phase["seconds_left"] <= 720
    assert facilitator.send("resume", {"session": session_id}) == {"ok": True}
    phase = dict(member.received())["phase"]
    assert phase["paused"] is False and phase["seconds_left"] is None
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        left = (session.phase_ends_at - utcnow()).total_seconds()
    assert 710 <= left <= 720
    assert facilitator.send("resume", {"session": session_id})["error"] == (
        "The clock is not paused."
    )


def test_a_clock_whose_time_is_up_cannot_be_paused_and_advancing_clears_a_pause(
    app_ctx, cast, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    session = db.session.get(BrainstormSession, session_id)
    expert = db.session.get(User, cast.expert.id)
    session.phase_ends_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    with pytest.raises(OperationError, match="Time is already up"):
        operations.pause_phase(session, by=expert)
    db.session.rollback()
    operations.extend_phase(session, by=expert, minutes=1)
    operations.pause_phase(session, by=expert)
    operations.advance_phase(session, by=expert)
    assert session.paused_seconds is None and session.phase_ends_at is not None


def test_open_boards_hear_about_promoted_results(
    app, client, cast, people, board, login, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    note = member.send("add_note", {"session": session_id, "text": "Dark mode"})["note"]
    to_phase(session_id, Phase.RESULTS)
    member.messages()
    login(client, cast.expert)
    posted = client.submit(
        f"/sessions/{session_id}/promote?note={note['id']}",
        {"title": "Dark mode", "body": "From the session", "tags": ""},
    )
    assert posted.status_code == 302
    idea_id = int(posted.headers["Location"].rsplit("/", 1)[1])
    results = dict(member.received())["results"]["results"]
    assert [(r["text"], r["idea"]) for r in results] == [("Dark mode", idea_id)]


def _connections(app, session_id: int) -> list[tuple[str, int]]:
    from community.brainstorms.models import Connection

    with app.app_context():
        rows = db.session.execute(
            db.select(Connection.sid, Connection.user_id).where(Connection.session_id == session_id)
        )
        return sorted((sid, user_id) for sid, user_id in rows)


def _signed_in_session(user) -> int:
    """The id of ``user``'s signed-in session (the ``people`` fixture signed them in)."""
    from community.accounts.models import UserSession

    return db.session.scalar(db.select(UserSession.id).where(UserSession.user_id == user.id))


def test_presence_is_kept_per_connection_and_a_dead_process_stops_counting(
    app, cast, people, board, create_brainstorm
):
    from community.brainstorms import events
    from community.brainstorms.models import STALE_AFTER, Connection

    session_id = create_brainstorm(cast.space, cast.expert)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    member.send("join", {"session": session_id})
    assert sorted(user for _sid, user in _connections(app, session_id)) == sorted(
        [cast.expert.id, cast.member.id]
    )
    # Another server process held a connection for the asker, then died without a goodbye.
    with app.app_context():
        session = db.session.get(BrainstormSession, session_id)
        presence.take_part(session, db.session.get(User, cast.asker.id))
        db.session.add(
            Connection(
                sid="from-a-dead-process",
                session_id=session_id,
                user_id=cast.asker.id,
                user_session_id=_signed_in_session(cast.asker),
                seen_at=utcnow() - STALE_AFTER - timedelta(seconds=1),
            )
        )
        # This process's connections were last vouched for just as long ago.
        db.session.execute(
            db.update(Connection)
            .where(Connection.sid != "from-a-dead-process")
            .values(seen_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
        )
        db.session.commit()
    facilitator.messages()
    with app.test_request_context():
        assert events.heartbeat() == [session_id]
    # This process vouched for its own two; the dead process's one is gone, and the board
    # is told who is here.
    assert sorted(user for _sid, user in _connections(app, session_id)) == sorted(
        [cast.expert.id, cast.member.id]
    )
    here = dict(facilitator.received())["presence"]
    assert here["count"] == 2
    assert cast.asker.id not in {p["id"] for p in here["people"]}
    with app.test_request_context():
        assert events.heartbeat() == []


def test_connections_forgotten_while_their_process_was_held_up_are_counted_again(
    app, cast, people, board, create_brainstorm
):
    """A database outage longer than STALE_AFTER: no process could vouch for its connections,
    and the first heartbeat after it (another process's) forgets them all, though they are
    open. This process's next heartbeat tells them to resync; joining again counts them in."""
    from community.brainstorms import events
    from community.brainstorms.models import STALE_AFTER, Connection

    session_id = create_brainstorm(cast.space, cast.expert)
    facilitator, member = board(people["expert"]), board(people["member"])
    facilitator.send("join", {"session": session_id})
    revision = member.send("join", {"session": session_id})["state"]["revision"]
    outsider = board(people["outsider"])  # connected, on no board: never asked to join
    with app.app_context():
        db.session.execute(
            db.update(Connection).values(seen_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
        )
        presence.forget_stale_connections()  # another process's heartbeat, first after it
        db.session.commit()
    assert _connections(app, session_id) == []
    for io in (facilitator, member, outsider):
        io.messages()

    with app.test_request_context():
        assert events.heartbeat() == []
    for io in (facilitator, member):
        assert io.messages() == [("resync", {})]
    assert outsider.messages() == []
    # The boards join again, as static/js/brainstorm.js does on a resync.
    for io in (facilitator, member):
        assert io.send("join", {"session": session_id, "since": revision})["ok"] is True
    assert sorted(user for _sid, user in _connections(app, session_id)) == sorted(
        [cast.expert.id, cast.member.id]
    )
    assert dict(facilitator.received())["presence"]["count"] == 2
    with app.test_request_context():
        assert events.heartbeat() == []
    assert [name for name, _ in facilitator.messages()] == []  # nothing forgotten now


def test_a_ban_closes_connections_held_by_any_process(
    app, cast, people, board, create_brainstorm, to_phase, held_elsewhere
):
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    session_id = create_brainstorm(cast.space, cast.expert)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    # The member's second tab is connected to another server process.
    closed = held_elsewhere(session_id, cast.member)
    with app.test_request_context():
        spaces.ban_member(
            db.session.get(Space, cast.space.id),
            db.session.get(User, cast.member.id),
            by=db.session.get(User, cast.owner.id),
            reason="spam",
        )
        db.session.commit()
    # Both are asked to close: this process's own at once; for the other, a manager with a
    # message queue publishes the disconnect to the process that holds it.
    assert "held-elsewhere" in closed and len(closed) == 2
    assert not member.io.is_connected("/brainstorm")
