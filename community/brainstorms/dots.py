"""Voting on a brainstorming board: each participant puts their dots on notes and clusters
while the session is voting, within the dots they have and the dots one item may take."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from community import signals
from community.accounts.models import User
from community.brainstorms.models import BrainstormSession, Cluster, Dot, Note, Participant, Phase
from community.brainstorms.operations import require_phase, require_time_left
from community.errors import OperationError
from community.extensions import db


def _dots(session: BrainstormSession, user: User, *where) -> int:
    return db.session.scalar(
        select(func.count(Dot.id)).where(
            Dot.session_id == session.id, Dot.user_id == user.id, *where
        )
    )


def _on(note: Note | None, cluster: Cluster | None) -> tuple:
    return (Dot.note_id == note.id,) if note is not None else (Dot.cluster_id == cluster.id,)


def _require_voter(
    session: BrainstormSession, user: User, note: Note | None, cluster: Cluster | None
) -> None:
    """Before a dot is placed or taken back: the session is voting, the dot is on one note or
    one cluster, and ``user`` has joined the session."""
    require_phase(session, user, Phase.VOTE, _("Dots can only be placed while voting."))
    require_time_left(session)
    if (note is None) == (cluster is None):
        raise OperationError(_("Put the dot on one note or one cluster."))
    exists = db.session.scalar(
        select(Participant.id).where(
            Participant.session_id == session.id, Participant.user_id == user.id
        )
    )
    if exists is None:
        raise OperationError(_("Join the session first."))


def add_dot(
    session: BrainstormSession,
    *,
    by: User,
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> None:
    """Put one of ``by``'s dots on a note or a cluster (while voting), within the limits per
    participant and per item, however many tabs vote at once (the session's revision is
    written first, so one voter's tabs take turns)."""
    _require_voter(session, by, note, cluster)
    with db.session.begin_nested():
        db.session.add(
            Dot(
                session_id=session.id,
                user_id=by.id,
                note_id=note.id if note else None,
                cluster_id=cluster.id if cluster else None,
            )
        )
        db.session.flush()
        # Counted after the dot's own write, so parallel tabs cannot both see room for one.
        if _dots(session, by) > session.dots_per_participant:
            raise OperationError(
                ngettext(
                    "You have placed your %(num)d dot. Take it back to place it elsewhere.",
                    "You have placed all %(num)d of your dots. Take one back to place it "
                    "elsewhere.",
                    session.dots_per_participant,
                )
            )
        if _dots(session, by, *_on(note, cluster)) > session.dots_per_item:
            raise OperationError(
                ngettext(
                    "At most %(num)d dot per item.",
                    "At most %(num)d dots per item.",
                    session.dots_per_item,
                )
            )
    signals.brainstorm_dots_changed.send(session, by=by, note=note, cluster=cluster)


def remove_dot(
    session: BrainstormSession,
    *,
    by: User,
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> None:
    """Take back one of ``by``'s dots from a note or a cluster (while voting)."""
    _require_voter(session, by, note, cluster)
    dot = db.session.scalar(
        select(Dot)
        .where(Dot.session_id == session.id, Dot.user_id == by.id, *_on(note, cluster))
        .order_by(Dot.id.desc())
        .limit(1)
    )
    # A statement, not the loaded row: a parallel tab may have taken the same dot back.
    if dot is None or not db.session.execute(delete(Dot).where(Dot.id == dot.id)).rowcount:
        raise OperationError(_("You have no dot there."))
    signals.brainstorm_dots_changed.send(session, by=by, note=note, cluster=cluster)
