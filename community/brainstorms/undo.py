"""Undoing a recent change to a brainstorming board: a note taken off, two clusters merged, a
cluster dissolved, a phase ended while its clock still ran.

The change keeps what its undo needs in an :class:`~community.brainstorms.models.Undo` row
(``operations.remember_undo``), so an undo never trusts what a client sends and works on any
instance, after a reload too. Undoing is a change like any other: it bumps the board's revision
and everyone's board applies its patch in place. The rules:

- Only the person who made the change undoes it, within ``UNDO_WINDOW`` of making it, while
  they may still make it (the session's grouping setting for merges and dissolves) — except
  that the facilitator splits any merge back for as long as grouping lasts.
- An undo holds only in the phase it was made in: every phase change removes the board's undo
  rows (an early end's own row is written after). A merge's row goes when the cluster it merged
  into goes, a note's with the note; an undone change's row goes with the undo, so nothing is
  undone twice.
- Taking back an early end returns to the phase with the time that was left, and is refused
  once anything was done in the new phase that going back would lose (clusters made, dots
  placed, a result promoted).
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms import notes
from community.brainstorms.models import (
    UNDO_WINDOW,
    BrainstormSession,
    Cluster,
    Dot,
    Note,
    Participant,
    Phase,
    Undo,
    UndoKind,
)
from community.brainstorms.operations import bump, require_phase
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea
from community.permissions import guardian


def _gone() -> OperationError:
    return OperationError(_("This can no longer be undone."))


def undo_change(session: BrainstormSession, undo_id: int, *, by: User) -> None:
    """Undo the change kept as ``undo_id`` on ``session``'s board (see the module's rules)."""
    guardian.ensure(by, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)  # the undo row is read afresh, one writer at a time
    undo = db.session.get(Undo, undo_id)
    if undo is None or undo.session_id != session.id or undo.phase != session.phase:
        raise _gone()
    facilitator_splits = undo.kind == UndoKind.MERGE and guardian.can(
        by, "brainstorm.facilitate", session
    )
    if not facilitator_splits:
        if undo.user_id != by.id:
            raise OperationError(_("Only the person who made this change can undo it."))
        if utcnow() - undo.created_at > UNDO_WINDOW:
            raise _gone()
    kept = {"kind": undo.kind, "note": undo.note_id, "cluster": undo.cluster_id, **undo.data}
    db.session.delete(undo)  # first: what is sent after this shows it gone
    db.session.flush()
    {
        UndoKind.DELETE_NOTE: _restore_note,
        UndoKind.MERGE: _split_back,
        UndoKind.DISSOLVE: _bring_back,
        UndoKind.ADVANCE: _return_to_phase,
    }[UndoKind(kept["kind"])](session, kept, by)


def _restore_note(session: BrainstormSession, kept: dict, by: User) -> None:
    require_phase(session, by, Phase.IDEATE, _("Notes can only be written while ideating."))
    note = db.session.get(Note, kept["note"])
    if note is None or note.deleted_at is None or note.hidden_at is not None:
        raise _gone()
    note.deleted_at = None
    note.updated_at = utcnow()
    db.session.flush()
    signals.brainstorm_note_changed.send(session, note=note, change="undeleted", by=by)


def _recreate(
    session: BrainstormSession, kept: dict, by: User, *, from_cluster: int | None
) -> None:
    """The removed cluster again (same name and place), with its notes that are still where
    the change put them (``from_cluster``: the cluster merged into, or None)."""
    notes.require_grouping(session, by)
    cluster = notes.add_cluster_row(session, kept["name"], kept["position"])
    ids = [int(i) for i in kept["notes"]]
    placed = Note.cluster_id.is_(None) if from_cluster is None else Note.cluster_id == from_cluster
    rows = db.session.execute(
        update(Note)
        .where(Note.session_id == session.id, Note.id.in_(ids), placed)
        .values(cluster_id=cluster.id)
        .returning(Note.id, Note.deleted_at, Note.hidden_at),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.expire_all()
    on_board = [r.id for r in rows if r.deleted_at is None and r.hidden_at is None]
    signals.brainstorm_grouping_changed.send(
        session,
        by=by,
        cluster=cluster,
        placement=dict.fromkeys(on_board, cluster.id),
        undone=True,
    )


def _split_back(session: BrainstormSession, kept: dict, by: User) -> None:
    _recreate(session, kept, by, from_cluster=kept["cluster"])


def _bring_back(session: BrainstormSession, kept: dict, by: User) -> None:
    _recreate(session, kept, by, from_cluster=None)


def _worked_on(session: BrainstormSession) -> bool:
    """Whether anything was done in the current phase that going back a phase would lose."""
    phase = session.current_phase
    if phase == Phase.GROUP:
        done = exists().where(Cluster.session_id == session.id)
    elif phase == Phase.VOTE:
        done = exists().where(Dot.session_id == session.id)
    elif phase == Phase.RESULTS:
        done = exists().where(Idea.brainstorm_session_id == session.id)
    else:
        return False
    return bool(db.session.scalar(select(done)))


def _return_to_phase(session: BrainstormSession, kept: dict, by: User) -> None:
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    if _worked_on(session):
        raise OperationError(_("Work was already done in this phase, so going back would lose it."))
    old = session.phase
    left = int(kept["seconds_left"])
    session.phase = kept["from"]
    if kept["paused"]:
        session.paused_seconds, session.phase_ends_at = left, None
    else:
        session.paused_seconds, session.phase_ends_at = None, utcnow() + timedelta(seconds=left)
    db.session.execute(
        update(Participant)
        .where(Participant.session_id == session.id)
        .values(done=Participant.user_id.in_([int(i) for i in kept["done"]]))
    )
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=old, by=by, undone=True)
