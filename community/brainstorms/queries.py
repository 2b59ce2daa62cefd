"""Reads shared by the session pages and the live namespace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.brainstorms.models import BrainstormSession, Note, Participant, Phase
from community.extensions import db
from community.spaces.models import Space

LIST_LIMIT = 50


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
        .where(Note.session_id == session.id, Note.deleted_at.is_(None))
        .options(selectinload(Note.author))
        .order_by(Note.created_at, Note.id)
    )
    if session.notes_hidden:
        query = query.where(Note.author_id == user.id)
    return list(db.session.scalars(query))


def participants(session: BrainstormSession) -> list[Participant]:
    """Everyone who has joined the session, with their user."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.session_id == session.id)
            .options(selectinload(Participant.user))
            .order_by(Participant.joined_at, Participant.id)
        )
    )
