"""Live pushes that follow committed changes to a session's board.

The room is chosen here: while ideation is hidden a note goes only to its author's own tabs,
and when grouping starts the whole set goes to everyone. Payloads are built while the
transaction is open (the rows are fresh) and emitted only after it commits.
"""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.brainstorms import queries, serializers
from community.brainstorms.events import NAMESPACE, session_room, user_room
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.extensions import db, socketio


def _emit_after_commit(event: str, payload: dict, room: str) -> None:
    signals.on_commit(socketio.emit, event, payload, to=room, namespace=NAMESPACE)


@signals.brainstorm_note_changed.connect
def push_note(session: BrainstormSession, *, note: Note, change: str, **_kwargs) -> None:
    """A new, edited or deleted note: to its author only while hidden, else to everyone."""
    room = (
        user_room(session.id, note.author_id) if session.notes_hidden else session_room(session.id)
    )
    if change == "deleted":
        _emit_after_commit("note_deleted", {"session": session.id, "id": note.id}, room)
        return
    payload = {"session": session.id, "note": serializers.note_payload(session, note)}
    _emit_after_commit(f"note_{change}", payload, room)
    if change == "added" and note.author_id is not None:
        # The author's other tabs learn that it is theirs (anonymous notes carry no author).
        mine = {"session": session.id, "id": note.id}
        _emit_after_commit("note_mine", mine, user_room(session.id, note.author_id))


@signals.brainstorm_phase_changed.connect
def push_phase(session: BrainstormSession, *, old: str, **_kwargs) -> None:
    """The new phase and end time; when hidden ideation ends, every note to everyone."""
    _emit_after_commit("phase", serializers.phase_payload(session), session_room(session.id))
    if session.hidden_ideation and old == Phase.IDEATE.value and not session.notes_hidden:
        notes = [serializers.note_payload(session, n) for n in queries.visible_notes(session, None)]
        _emit_after_commit(
            "notes", {"session": session.id, "notes": notes}, session_room(session.id)
        )
    if session.current_phase == Phase.RESULTS:
        _emit_after_commit(
            "results", serializers.results_payload(session), session_room(session.id)
        )
    _emit_after_commit("presence", serializers.presence_payload(session), session_room(session.id))


@signals.brainstorm_grouping_changed.connect
def push_grouping(session: BrainstormSession, **_kwargs) -> None:
    """The clusters and every note's place in them, to everyone (the whole set converges)."""
    _emit_after_commit("grouping", serializers.grouping_payload(session), session_room(session.id))


@signals.brainstorm_dots_changed.connect
def push_dots(session: BrainstormSession, *, by, **_kwargs) -> None:
    """Totals to everyone; the voter's own dots only to the voter's tabs."""
    _emit_after_commit("tally", serializers.tally_payload(session), session_room(session.id))
    _emit_after_commit(
        "my_dots", serializers.my_dots_payload(session, by.id), user_room(session.id, by.id)
    )


@signals.member_banned.connect
@signals.member_left.connect
def disconnect_from_boards(space, *, user, **_kwargs) -> None:
    """Someone banned from (or leaving) a space stops receiving its open boards at once; their
    events are refused anyway, because every event asks the guardian again."""
    session_ids = list(
        db.session.scalars(
            select(BrainstormSession.id).where(
                BrainstormSession.space_id == space.id,
                BrainstormSession.phase != Phase.CLOSED.value,
            )
        )
    )
    if session_ids:
        signals.on_commit(_disconnect, session_ids, user.id)


def _disconnect(session_ids: list[int], user_id: int) -> None:
    # The connections this process holds (with a message queue, each process holds its own).
    manager = socketio.server.manager
    sids = {
        sid
        for session_id in session_ids
        for sid, _eio_sid in manager.get_participants(NAMESPACE, user_room(session_id, user_id))
    }
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
