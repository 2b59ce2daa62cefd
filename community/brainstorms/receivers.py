"""Live pushes that follow committed changes to a session's board.

The room is chosen here: while ideation is hidden a note goes only to its author's own tabs,
and when grouping starts the whole set goes to everyone. Payloads are built while the
transaction is open (the rows are fresh) and emitted only after it commits.
"""

from __future__ import annotations

from community import signals
from community.brainstorms import queries, serializers
from community.brainstorms.events import NAMESPACE, session_room, user_room
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.extensions import socketio


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
    else:
        payload = {"session": session.id, "note": serializers.note_payload(session, note)}
        _emit_after_commit(f"note_{change}", payload, room)


@signals.brainstorm_phase_changed.connect
def push_phase(session: BrainstormSession, *, old: str, **_kwargs) -> None:
    """The new phase and end time; when hidden ideation ends, every note to everyone."""
    _emit_after_commit("phase", serializers.phase_payload(session), session_room(session.id))
    if session.hidden_ideation and old == Phase.IDEATE.value and not session.notes_hidden:
        notes = [serializers.note_payload(session, n) for n in queries.visible_notes(session, None)]
        _emit_after_commit(
            "notes", {"session": session.id, "notes": notes}, session_room(session.id)
        )
    _emit_after_commit("presence", serializers.presence_payload(session), session_room(session.id))
