"""What participants write on a brainstorming board and how it is grouped: notes (written,
edited and taken off by their authors while ideating) and clusters (made, renamed, merged and
dissolved, with notes moved between them, while grouping). Taking a note off, merging and
dissolving can be undone for a while (``undo.py``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms.models import (
    CLUSTER_NAME_MAX,
    NOTE_MAX,
    BrainstormSession,
    Cluster,
    Note,
    Phase,
    Undo,
    UndoKind,
)
from community.brainstorms.operations import remember_undo, require_phase, require_time_left
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.permissions import guardian

CLUSTERS_MAX = 100


def _clean_text(text: str) -> str:
    if not isinstance(text, str):
        raise OperationError(_("A note must be text."), "text")
    text = text.strip()
    if not text:
        raise OperationError(_("Write something on the note first."), "text")
    if len(text) > NOTE_MAX:
        raise OperationError(
            _("A note may have at most %(count)d characters.", count=NOTE_MAX), "text"
        )
    return text


def _require_ideation(session: BrainstormSession, user: User) -> None:
    require_phase(session, user, Phase.IDEATE, _("Notes can only be written while ideating."))


def add_note(session: BrainstormSession, *, author: User, text: str) -> Note:
    """Stick a new note on the board (during ideation)."""
    _require_ideation(session, author)
    require_time_left(session)
    note = Note(session_id=session.id, author_id=author.id, text=_clean_text(text))
    db.session.add(note)
    db.session.flush()
    signals.brainstorm_note_changed.send(session, note=note, change="added", by=author)
    return note


def _own_note(note: Note, by: User) -> None:
    if not note.on_board or note.author_id != by.id:
        raise OperationError(_("You can only change your own notes."))


def edit_note(note: Note, *, by: User, text: str) -> None:
    """Rewrite one's own note (during ideation)."""
    session = db.session.get(BrainstormSession, note.session_id)
    _require_ideation(session, by)
    require_time_left(session)
    _own_note(note, by)
    note.text = _clean_text(text)
    note.updated_at = utcnow()
    db.session.flush()
    signals.brainstorm_note_changed.send(session, note=note, change="edited", by=by)


def delete_note(note: Note, *, by: User) -> Undo:
    """Take one's own note off the board (during ideation); the row is kept, marked deleted,
    so its author can undo it for a while."""
    session = db.session.get(BrainstormSession, note.session_id)
    _require_ideation(session, by)
    _own_note(note, by)
    note.deleted_at = utcnow()
    db.session.flush()
    signals.brainstorm_note_changed.send(session, note=note, change="deleted", by=by)
    return remember_undo(session, UndoKind.DELETE_NOTE, by=by, note_id=note.id)


def require_grouping(session: BrainstormSession, user: User) -> None:
    """Before a change to the grouping: the board is bumped, it is grouping, and ``user`` may
    group (the session's setting: everyone, or only the facilitator)."""
    require_phase(session, user, Phase.GROUP, _("Notes can only be grouped while grouping."))
    guardian.ensure(
        user,
        "brainstorm.group",
        session,
        _("In this session only the facilitator groups the notes."),
    )


def _clean_name(name: str) -> str:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name or len(name) > CLUSTER_NAME_MAX:
        raise OperationError(
            _("Name the cluster in at most %(count)d characters.", count=CLUSTER_NAME_MAX), "name"
        )
    return name


def create_cluster(session: BrainstormSession, *, by: User, name: str) -> Cluster:
    """Start a new, empty cluster at the end of the board (while grouping)."""
    require_grouping(session, by)
    cluster = add_cluster_row(session, _clean_name(name))
    signals.brainstorm_grouping_changed.send(session, by=by, cluster=cluster)
    return cluster


def add_cluster_row(session: BrainstormSession, name: str, position: int | None = None) -> Cluster:
    """A new cluster row named ``name`` (checked) at ``position`` (or the end), within the
    board's cap; positions and the cap are counted one writer at a time (after the bump)."""
    count, last = db.session.execute(
        select(func.count(Cluster.id), func.max(Cluster.position)).where(
            Cluster.session_id == session.id
        )
    ).one()
    if count >= CLUSTERS_MAX:
        raise OperationError(
            _("A session may have at most %(count)d clusters.", count=CLUSTERS_MAX)
        )
    cluster = Cluster(
        session_id=session.id, name=name, position=(last or 0) + 1 if position is None else position
    )
    db.session.add(cluster)
    db.session.flush()
    return cluster


def rename_cluster(cluster: Cluster, *, by: User, name: str) -> None:
    """Give a cluster another name (while grouping)."""
    session = db.session.get(BrainstormSession, cluster.session_id)
    require_grouping(session, by)
    cluster.name = _clean_name(name)
    db.session.flush()
    signals.brainstorm_grouping_changed.send(session, by=by, cluster=cluster)


def _still_there(*clusters: Cluster) -> None:
    """Refuse when a cluster was merged away by someone else while this change waited."""
    ids = {c.id for c in clusters}
    if len(db.session.scalars(select(Cluster.id).where(Cluster.id.in_(ids))).all()) < len(ids):
        raise OperationError(_("That cluster isn't on this board."))


def move_note(note: Note, *, by: User, cluster: Cluster | None) -> None:
    """Put a note into ``cluster``, or take it out of any cluster with None (while grouping)."""
    session = db.session.get(BrainstormSession, note.session_id)
    require_grouping(session, by)
    if cluster is not None and cluster.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
    if cluster is not None:
        _still_there(cluster)
    note.cluster_id = cluster.id if cluster else None
    db.session.flush()
    signals.brainstorm_grouping_changed.send(session, by=by, placement={note.id: note.cluster_id})


def _move_all(cluster: Cluster, to: int | None) -> tuple[list[int], list[int]]:
    """Move every note of ``cluster`` to cluster ``to`` (None: to no cluster); returns the ids
    of all the notes moved and of those on the board (the only ones the board knows)."""
    rows = db.session.execute(
        update(Note)
        .where(Note.cluster_id == cluster.id)
        .values(cluster_id=to)
        .returning(Note.id, Note.deleted_at, Note.hidden_at),
        execution_options={"synchronize_session": False},
    ).all()
    on_board = [r.id for r in rows if r.deleted_at is None and r.hidden_at is None]
    return sorted(r.id for r in rows), on_board


def _remove_cluster(cluster: Cluster) -> dict:
    """Delete an emptied cluster; returns what bringing it back needs."""
    kept = {"name": cluster.name, "position": cluster.position}
    db.session.delete(cluster)
    db.session.flush()
    db.session.expire_all()
    return kept


def merge_clusters(source: Cluster, target: Cluster, *, by: User) -> Undo:
    """Move every note of ``source`` into ``target`` and remove ``source`` (while grouping);
    its maker, for a while, or the facilitator, while grouping lasts, can split them back."""
    session = db.session.get(BrainstormSession, target.session_id)
    require_grouping(session, by)
    if source.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
    if source.id == target.id:
        raise OperationError(_("Choose two different clusters to merge."))
    _still_there(source, target)
    moved, on_board = _move_all(source, target.id)
    removed, target_id = source.id, target.id
    kept = _remove_cluster(source)
    undo = remember_undo(
        session, UndoKind.MERGE, by=by, cluster_id=target_id, data={**kept, "notes": moved}
    )
    signals.brainstorm_grouping_changed.send(
        session, by=by, removed=removed, placement=dict.fromkeys(on_board, target_id)
    )
    return undo


def dissolve_cluster(cluster: Cluster, *, by: User) -> Undo:
    """Remove ``cluster`` and put its notes back among the notes in no cluster (while
    grouping); its maker can bring it back for a while."""
    session = db.session.get(BrainstormSession, cluster.session_id)
    require_grouping(session, by)
    _still_there(cluster)
    moved, on_board = _move_all(cluster, None)
    removed = cluster.id
    kept = _remove_cluster(cluster)
    undo = remember_undo(session, UndoKind.DISSOLVE, by=by, data={**kept, "notes": moved})
    signals.brainstorm_grouping_changed.send(
        session, by=by, removed=removed, placement=dict.fromkeys(on_board)
    )
    return undo
