"""Reads shared by the session pages and the live namespace."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.brainstorms.models import (
    STALE_AFTER,
    BrainstormSession,
    Cluster,
    Connection,
    Dot,
    Note,
    Participant,
    Phase,
    Undo,
    UndoKind,
)
from community.database import utcnow
from community.extensions import db
from community.ideas.models import Idea
from community.spaces.models import Space

LIST_LIMIT = 50
#: Notes on the board: not deleted by their authors, not hidden pending moderation.
ON_BOARD = (Note.deleted_at.is_(None), Note.hidden_at.is_(None))


def sessions_by_state(space: Space) -> dict[str, list[BrainstormSession]]:
    """The space's sessions as upcoming (lobby), live and past (closed), newest first."""
    rows = db.session.scalars(
        select(BrainstormSession)
        .where(BrainstormSession.space_id == space.id)
        .options(selectinload(BrainstormSession.facilitator))
        .order_by(BrainstormSession.created_at.desc(), BrainstormSession.id.desc())
        .limit(LIST_LIMIT * 3)
    )
    groups: dict[str, list[BrainstormSession]] = {"upcoming": [], "live": [], "past": []}
    for session in rows:
        if session.current_phase == Phase.LOBBY:
            key = "upcoming"
        elif session.is_closed:
            key = "past"
        else:
            key = "live"
        if len(groups[key]) < LIST_LIMIT:
            groups[key].append(session)
    return groups


def visible_notes(session: BrainstormSession, user) -> list[Note]:
    """The notes ``user`` may see now: only their own while ideation is hidden."""
    query = (
        select(Note)
        .where(Note.session_id == session.id, *ON_BOARD)
        .options(selectinload(Note.author))
        .order_by(Note.created_at, Note.id)
    )
    if session.notes_hidden:
        query = query.where(Note.author_id == user.id)
    return list(db.session.scalars(query))


def own_notes(session: BrainstormSession, user_id: int) -> list[Note]:
    """One participant's notes on the board, oldest first."""
    return list(
        db.session.scalars(
            select(Note)
            .where(
                Note.session_id == session.id,
                Note.author_id == user_id,
                *ON_BOARD,
            )
            .options(selectinload(Note.author))
            .order_by(Note.created_at, Note.id)
        )
    )


def note_count(session: BrainstormSession) -> int:
    """How many notes are on the board (shown to everyone, even while ideation is hidden)."""
    return db.session.scalar(
        select(func.count(Note.id)).where(Note.session_id == session.id, *ON_BOARD)
    )


def present(session: BrainstormSession) -> list[Participant]:
    """The participants with an open connection on the board (a live one: see
    ``operations.STALE_AFTER``), with their users, in the order they first joined."""
    connected = (
        select(Connection.id)
        .where(
            Connection.session_id == Participant.session_id,
            Connection.user_id == Participant.user_id,
            Connection.seen_at >= utcnow() - STALE_AFTER,
        )
        .exists()
    )
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.session_id == session.id, connected)
            .options(selectinload(Participant.user))
            .order_by(Participant.joined_at, Participant.id)
        )
    )


def facilitator_here(session: BrainstormSession) -> bool:
    """Whether the facilitator has a live connection on the board."""
    if session.facilitator_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                select(Connection.id)
                .where(
                    Connection.session_id == session.id,
                    Connection.user_id == session.facilitator_id,
                    Connection.seen_at >= utcnow() - STALE_AFTER,
                )
                .exists()
            )
        )
    )


def clusters(session: BrainstormSession) -> list[Cluster]:
    """The session's clusters in board order."""
    return list(
        db.session.scalars(
            select(Cluster)
            .where(Cluster.session_id == session.id)
            .order_by(Cluster.position, Cluster.id)
        )
    )


def dot_totals(session: BrainstormSession, user_id: int | None = None) -> dict[str, dict]:
    """Dots per note and per cluster (``user_id``: only that participant's), keyed by id."""
    query = (
        select(Dot.note_id, Dot.cluster_id, func.count(Dot.id))
        .where(Dot.session_id == session.id)
        .group_by(Dot.note_id, Dot.cluster_id)
    )
    if user_id is not None:
        query = query.where(Dot.user_id == user_id)
    totals: dict[str, dict] = {"notes": {}, "clusters": {}}
    for note_id, cluster_id, count in db.session.execute(query):
        if note_id is not None:
            totals["notes"][note_id] = count
        else:
            totals["clusters"][cluster_id] = count
    return totals


def item_dots(
    session: BrainstormSession, *, note: Note | None = None, cluster: Cluster | None = None
) -> int:
    """The dots on one note or one cluster."""
    on = Dot.note_id == note.id if note is not None else Dot.cluster_id == cluster.id
    return db.session.scalar(select(func.count(Dot.id)).where(Dot.session_id == session.id, on))


def ranked_results(session: BrainstormSession) -> list[dict]:
    """Clusters and the notes in no cluster, ranked by their score, most first: a cluster
    scores the dots on it and on its notes, which are listed under it (``notes``: their texts)
    and not ranked again beside it. Equal scores share a rank (1, 2, 2, 4); among them
    clusters come first, then board order. ``idea``: the idea an item was promoted to."""
    totals = dot_totals(session)
    promoted = promoted_items(session)
    notes = visible_notes(session, None) if not session.notes_hidden else []
    by_cluster: dict[int, list[Note]] = {}
    for note in notes:
        if note.cluster_id is not None:
            by_cluster.setdefault(note.cluster_id, []).append(note)
    items = []
    for c in clusters(session):
        inside = by_cluster.pop(c.id, [])
        score = totals["clusters"].get(c.id, 0)
        score += sum(totals["notes"].get(n.id, 0) for n in inside)
        items.append(
            {
                "kind": "cluster",
                "id": c.id,
                "text": c.name,
                "notes": [n.text for n in inside],
                "dots": score,
                "idea": promoted["clusters"].get(c.id),
                "order": (0, c.position, c.id),
            }
        )
    items += [
        {
            "kind": "note",
            "id": n.id,
            "text": n.text,
            "dots": totals["notes"].get(n.id, 0),
            "idea": promoted["notes"].get(n.id),
            "order": (1, 0, n.id),
        }
        for n in notes
        if n.cluster_id is None
    ]
    items.sort(key=lambda item: (-item["dots"], item["order"]))
    previous = None
    for place, item in enumerate(items, start=1):
        if previous is None or item["dots"] != previous["dots"]:
            item["rank"] = place
        else:
            item["rank"] = previous["rank"]
        previous = item
    for item in items:
        del item["order"]
    return items


def promoted_items(session: BrainstormSession) -> dict[str, dict[int, int]]:
    """The ideas the session's notes and clusters were promoted to, keyed by item id."""
    rows = db.session.execute(
        select(Idea.id, Idea.brainstorm_note_id, Idea.brainstorm_cluster_id).where(
            Idea.brainstorm_session_id == session.id
        )
    )
    promoted: dict[str, dict[int, int]] = {"notes": {}, "clusters": {}}
    for idea_id, note_id, cluster_id in rows:
        if note_id is not None:
            promoted["notes"][note_id] = idea_id
        elif cluster_id is not None:
            promoted["clusters"][cluster_id] = idea_id
    return promoted


def item_notes(note: Note | None = None, cluster: Cluster | None = None) -> list[Note]:
    """The note itself, or the cluster's notes in board order (not deleted), with authors."""
    if note is not None:
        return [note]
    return list(
        db.session.scalars(
            select(Note)
            .where(Note.cluster_id == cluster.id, *ON_BOARD)
            .options(selectinload(Note.author))
            .order_by(Note.created_at, Note.id)
        )
    )


def idea_origin(idea: Idea) -> dict | None:
    """The session an idea was promoted from and, unless it was anonymous, the people who
    wrote the notes it came from; None for other ideas."""
    if idea.brainstorm_session_id is None:
        return None
    session = db.session.get(BrainstormSession, idea.brainstorm_session_id)
    if session is None:
        return None
    contributors = []
    if not session.anonymous:
        note = db.session.get(Note, idea.brainstorm_note_id) if idea.brainstorm_note_id else None
        cluster = (
            db.session.get(Cluster, idea.brainstorm_cluster_id)
            if idea.brainstorm_cluster_id
            else None
        )
        if note is not None or cluster is not None:
            for n in item_notes(note, cluster):
                if n.author is not None and n.author not in contributors:
                    contributors.append(n.author)
    return {"session": session, "contributors": contributors}


def early_end_undo(session: BrainstormSession) -> int | None:
    """The undo of the phase just ended early, while it can be undone."""
    return db.session.scalar(
        select(Undo.id).where(
            Undo.session_id == session.id,
            Undo.kind == UndoKind.ADVANCE.value,
            Undo.phase == session.phase,
        )
    )


def merges(session: BrainstormSession) -> list[Undo]:
    """The merges on the board that can still be split back, oldest first, with who made them."""
    return list(
        db.session.scalars(
            select(Undo)
            .where(Undo.session_id == session.id, Undo.kind == UndoKind.MERGE.value)
            .options(selectinload(Undo.user))
            .order_by(Undo.id)
        )
    )


def counted(session: BrainstormSession, sid: str) -> bool:
    """Whether connection ``sid`` is counted on the session's board (presence)."""
    return (
        db.session.scalar(
            select(Connection.id).where(Connection.sid == sid, Connection.session_id == session.id)
        )
        is not None
    )
