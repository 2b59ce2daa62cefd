"""What the live namespace sends: plain dicts from sessions, notes and participants.

Anonymity is enforced here: in an anonymous session a note never carries its author, and
presence is a count, never a list of names. Dots are never sent with their voters: everyone
gets totals, and each participant their own dots. In a session with hidden totals only the
facilitator gets the totals (in their ``own`` snapshot) until the vote closes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.brainstorms import queries
from community.brainstorms.models import PHASE_LABELS, BrainstormSession, Cluster, Note, Phase
from community.database import utcnow
from community.permissions import guardian


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def note_payload(session: BrainstormSession, note: Note, viewer_id: int | None = None) -> dict:
    """A note as a participant receives it; ``mine`` only when sent to one viewer."""
    payload: dict[str, Any] = {"id": note.id, "text": note.text, "cluster": note.cluster_id}
    if not session.anonymous:
        author = note.author
        payload["author"] = (
            {"id": author.id, "name": author.display_name or author.username} if author else None
        )
    if viewer_id is not None:
        payload["mine"] = note.author_id == viewer_id
    return payload


def phase_payload(session: BrainstormSession) -> dict:
    """The phase and its server-set end time, with the server's clock to count down against;
    while the clock is paused, no end time and the seconds that are left."""
    return {
        "session": session.id,
        "phase": session.phase,
        "label": str(PHASE_LABELS[session.current_phase]),
        "ends_at": _iso(session.phase_ends_at),
        "now": utcnow().isoformat(),
        "paused": session.paused_seconds is not None,
        "seconds_left": session.paused_seconds,
        "notes_hidden": session.notes_hidden,
    }


def presence_payload(session: BrainstormSession) -> dict:
    """Who is here, who is done and how many have unsent notes: names in a named session,
    counts in an anonymous one."""
    here = queries.present(session)
    payload: dict[str, Any] = {
        "session": session.id,
        "count": len(here),
        # Participants see when the facilitator drops out (a moderator may then take over).
        "facilitator_here": any(p.user_id == session.facilitator_id for p in here),
        "done": sum(1 for p in here if p.done),
        # Participants (not the facilitator) whose composer holds a note not sent yet.
        "unsent": sum(1 for p in here if p.unsent and p.user_id != session.facilitator_id),
    }
    if not session.anonymous:
        payload["people"] = [
            {"id": p.user_id, "name": p.user.display_name or p.user.username, "done": p.done}
            for p in here
        ]
    return payload


def settings_payload(session: BrainstormSession) -> dict:
    """The settings everyone on the board goes by (the facilitator may change them, within
    ``operations.update_settings``'s rules, or a moderator take over as facilitator)."""
    facilitator = session.facilitator
    who = {"id": facilitator.id} if facilitator else None
    if who and not session.anonymous:  # names on an anonymous board: none, not even this one
        who["name"] = facilitator.display_name or facilitator.username
    return {
        "session": session.id,
        "prompt": session.prompt,
        "facilitator": who,
        "timer_mode": session.timer_mode,
        "who_may_group": session.who_may_group,
        "dots_per_participant": session.dots_per_participant,
        "dots_per_item": session.dots_per_item,
        "scheduled_for": _iso(session.scheduled_for),
    }


def cluster_payload(cluster: Cluster) -> dict:
    return {"id": cluster.id, "name": cluster.name, "position": cluster.position}


def _keyed(totals: dict[str, dict]) -> dict[str, dict[str, int]]:
    return {kind: {str(k): v for k, v in counts.items()} for kind, counts in totals.items()}


def tally_payload(session: BrainstormSession) -> dict:
    """Dots per note and per cluster, for everyone: totals only, never who placed them."""
    return {"session": session.id, **_keyed(queries.dot_totals(session))}


def item_tally_payload(
    session: BrainstormSession, *, note: Note | None = None, cluster: Cluster | None = None
) -> dict:
    """The dot total of one note or one cluster, shaped as a part of :func:`tally_payload`."""
    total = queries.item_dots(session, note=note, cluster=cluster)
    return {
        "notes": {str(note.id): total} if note is not None else {},
        "clusters": {str(cluster.id): total} if cluster is not None else {},
    }


def my_dots_payload(session: BrainstormSession, user_id: int) -> dict:
    """One participant's own dots and how many they have left, for their tabs only."""
    mine = queries.dot_totals(session, user_id)
    used = sum(mine["notes"].values()) + sum(mine["clusters"].values())
    return {
        "session": session.id,
        **_keyed(mine),
        "left": max(0, session.dots_per_participant - used),
    }


def own_payload(session: BrainstormSession, user_id: int) -> dict:
    """What only one participant's tabs are sent: which notes are theirs, the notes themselves
    while ideation is hidden (nobody else has them yet), their dots and, for the facilitator
    while the totals are hidden from the others, the totals."""
    own = queries.own_notes(session, user_id)
    payload = {
        "session": session.id,
        "mine": [n.id for n in own],
        "notes": [note_payload(session, n, user_id) for n in own] if session.notes_hidden else None,
        "my_dots": my_dots_payload(session, user_id),
    }
    if (
        session.current_phase == Phase.VOTE
        and session.totals_hidden
        and session.sees_totals(user_id)
    ):
        payload["tally"] = tally_payload(session)
    return payload


def results_payload(session: BrainstormSession) -> dict:
    """Clusters and notes ranked by dots (texts and totals only)."""
    return {"session": session.id, "results": queries.ranked_results(session)}


def merges_payload(session: BrainstormSession) -> dict:
    """The merges the facilitator can split back: the undo's id, the cluster merged into and
    who merged (no name in an anonymous session)."""
    return {
        "merges": [
            {
                "id": undo.id,
                "cluster": undo.cluster_id,
                "by": None
                if session.anonymous or undo.user is None
                else undo.user.display_name or undo.user.username,
            }
            for undo in queries.merges(session)
        ]
    }


def state_payload(session: BrainstormSession, viewer) -> dict:
    """Everything a (re)joining participant needs to draw the board from scratch."""
    revision = session.revision  # read first: everything below is at least as new
    showing_results = session.current_phase in (Phase.RESULTS, Phase.CLOSED)
    return {
        **phase_payload(session),
        "revision": revision,
        "prompt": session.prompt,
        "anonymous": session.anonymous,
        "hidden_ideation": session.hidden_ideation,
        "facilitator": viewer.id == session.facilitator_id,
        "may_group": guardian.can(viewer, "brainstorm.group", session),
        "dots_per_participant": session.dots_per_participant,
        "dots_per_item": session.dots_per_item,
        "notes": [
            note_payload(session, n, viewer.id) for n in queries.visible_notes(session, viewer)
        ],
        "note_count": queries.note_count(session),
        "clusters": [cluster_payload(c) for c in queries.clusters(session)],
        **merges_payload(session),
        "dot_totals": session.dot_totals,
        # None while the totals are hidden from this viewer: not sent, not merely not drawn.
        "tally": tally_payload(session) if session.sees_totals(viewer.id) else None,
        "my_dots": my_dots_payload(session, viewer.id),
        "results": queries.ranked_results(session) if showing_results else None,
        "presence": presence_payload(session),
        "settings": settings_payload(session),
        "may_take_over": guardian.can(viewer, "space.moderate", session.space),
    }
