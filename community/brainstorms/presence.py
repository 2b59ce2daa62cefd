"""Who is on a session's board: its participants, their open connections (kept alive by the
process holding them, forgotten when it dies) and what they say of themselves ("done" with the
phase, a note not sent yet). Each change tells the board through ``brainstorm_presence_changed``."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms import queries
from community.brainstorms.models import STALE_AFTER, BrainstormSession, Connection, Participant
from community.brainstorms.operations import bump, open_board
from community.database import utcnow
from community.extensions import db
from community.permissions import guardian


def _participant(session: BrainstormSession, user: User) -> Participant:
    participant = db.session.scalar(
        select(Participant).where(
            Participant.session_id == session.id, Participant.user_id == user.id
        )
    )
    if participant is None:
        participant = Participant(session_id=session.id, user_id=user.id)
        db.session.add(participant)
        db.session.flush()
    return participant


def take_part(session: BrainstormSession, user: User) -> Participant:
    """Make ``user`` a participant of the session (without a connection: demo data, tests)."""
    guardian.ensure(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    return _participant(session, user)


def arrive(
    session: BrainstormSession, user: User, *, sid: str, user_session_id: int
) -> Participant:
    """Connection ``sid`` of ``user``, opened with signed-in session ``user_session_id``,
    opened the board: they are here (presence)."""
    participant = take_part(session, user)
    if not queries.counted(session, sid):
        db.session.add(
            Connection(
                sid=sid, session_id=session.id, user_id=user.id, user_session_id=user_session_id
            )
        )
        db.session.flush()
    signals.brainstorm_presence_changed.send(session, user_id=user.id)
    return participant


def leave(session: BrainstormSession, user_id: int, *, sid: str) -> None:
    """Connection ``sid`` left the board (or closed)."""
    bump(session)
    db.session.execute(
        delete(Connection).where(Connection.sid == sid, Connection.session_id == session.id)
    )
    signals.brainstorm_presence_changed.send(session, user_id=user_id)


def keep_alive(sids: list[str]) -> list[str]:
    """The process holding these connections (each on some board) says they are still open;
    returns those that have no row any more: forgotten as stale while their process could not
    vouch for them (its heartbeat was held up, e.g. by a database outage longer than
    ``STALE_AFTER``), so they are not counted until they join again."""
    if not sids:
        return []
    db.session.execute(update(Connection).where(Connection.sid.in_(sids)).values(seen_at=utcnow()))
    kept = set(db.session.scalars(select(Connection.sid).where(Connection.sid.in_(sids))))
    return [sid for sid in sids if sid not in kept]


def forget_stale_connections() -> list[int]:
    """Remove connections no process has vouched for lately (their process died) and tell
    the boards they were on; returns those sessions' ids."""
    stale = Connection.seen_at < utcnow() - STALE_AFTER
    session_ids = sorted(
        set(db.session.scalars(select(Connection.session_id).where(stale).distinct()))
    )
    db.session.execute(delete(Connection).where(stale))
    for session_id in session_ids:
        session = db.session.get(BrainstormSession, session_id)
        bump(session)
        signals.brainstorm_presence_changed.send(session, user_id=None)
    return session_ids


def mark_done(session: BrainstormSession, user: User, done: bool) -> Participant:
    """Say one is done with the current phase (or not any more)."""
    open_board(session, user)
    participant = _participant(session, user)
    participant.done = done
    db.session.flush()
    signals.brainstorm_presence_changed.send(session, user_id=user.id)
    return participant


def mark_unsent(session: BrainstormSession, user: User, unsent: bool) -> None:
    """Say whether one's composer holds a note not sent yet; nothing changes (and no revision
    is used) when it already says so."""
    guardian.ensure(user, "brainstorm.join", session, _("Join this space to take part."))
    current = db.session.scalar(
        select(Participant.unsent).where(
            Participant.session_id == session.id, Participant.user_id == user.id
        )
    )
    if current is not None and current == unsent:
        return
    open_board(session, user)
    participant = _participant(session, user)
    participant.unsent = unsent
    db.session.flush()
    signals.brainstorm_presence_changed.send(session, user_id=user.id)
