"""What the live namespace sends: plain dicts from sessions, notes and participants.

Anonymity is enforced here: in an anonymous session a note never carries its author, and
presence is a count, never a list of names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.brainstorms import queries
from community.brainstorms.models import PHASE_LABELS, BrainstormSession, Note
from community.database import utcnow


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def note_payload(session: BrainstormSession, note: Note, viewer_id: int | None = None) -> dict:
    """A note as a participant receives it; ``mine`` only when sent to one viewer."""
    payload: dict[str, Any] = {"id": note.id, "text": note.text}
    if not session.anonymous:
        author = note.author
        payload["author"] = (
            {"id": author.id, "name": author.display_name or author.username} if author else None
        )
    if viewer_id is not None:
        payload["mine"] = note.author_id == viewer_id
    return payload


def phase_payload(session: BrainstormSession) -> dict:
    """The phase and its server-set end time, with the server's clock to count down against."""
    return {
        "session": session.id,
        "phase": session.phase,
        "label": str(PHASE_LABELS[session.current_phase]),
        "ends_at": _iso(session.phase_ends_at),
        "now": utcnow().isoformat(),
        "notes_hidden": session.notes_hidden,
    }


def presence_payload(session: BrainstormSession) -> dict:
    """Who is here and who is done: names in a named session, counts in an anonymous one."""
    here = [p for p in queries.participants(session) if p.connections > 0]
    payload: dict[str, Any] = {
        "session": session.id,
        "count": len(here),
        "done": sum(1 for p in here if p.done),
    }
    if not session.anonymous:
        payload["people"] = [
            {"id": p.user_id, "name": p.user.display_name or p.user.username, "done": p.done}
            for p in here
        ]
    return payload


def state_payload(session: BrainstormSession, viewer) -> dict:
    """Everything a (re)joining participant needs to draw the board from scratch."""
    return {
        **phase_payload(session),
        "prompt": session.prompt,
        "anonymous": session.anonymous,
        "hidden_ideation": session.hidden_ideation,
        "facilitator": viewer.id == session.facilitator_id,
        "notes": [
            note_payload(session, n, viewer.id) for n in queries.visible_notes(session, viewer)
        ],
        "presence": presence_payload(session),
    }
