"""What participants write on a brainstorming board and how it is grouped: notes (written,
edited and taken off by their authors while ideating) and clusters (made, renamed and merged,
with notes moved between them, while grouping)."""

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
)
from community.brainstorms.operations import require_phase, require_time_left
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


def delete_note(note: Note, *, by: User) -> None:
    """Take one's own note off the board (during ideation); the row is kept, marked deleted."""
    session = db.session.get(BrainstormSession, note.session_id)
    _require_ideation(session, by)
    _own_note(note, by)
    note.deleted_at = utcnow()
    db.session.flush()
    signals.brainstorm_note_changed.send(session, note=note, change="deleted", by=by)


def _require_grouping(session: BrainstormSession, user: User) -> None:
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
    _require_grouping(session, by)
    name = _clean_name(name)  # positions and the cap are counted one writer at a time
    count, last = db.session.execute(
        select(func.count(Cluster.id), func.max(Cluster.position)).where(
            Cluster.session_id == session.id
        )
    ).one()
    if count >= CLUSTERS_MAX:
        raise OperationError(
            _("A session may have at most %(count)d clusters.", count=CLUSTERS_MAX)
        )
    cluster = Cluster(session_id=session.id, name=name, position=(last or 0) + 1)
    db.session.add(cluster)
    db.session.flush()
    signals.brainstorm_grouping_changed.send(session, by=by, cluster=cluster)
    return cluster


def rename_cluster(cluster: Cluster, *, by: User, name: str) -> None:
    """Give a cluster another name (while grouping)."""
    session = db.session.get(BrainstormSession, cluster.session_id)
    _require_grouping(session, by)
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
    _require_grouping(session, by)
    if cluster is not None and cluster.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
    if cluster is not None:
        _still_there(cluster)
    note.cluster_id = cluster.id if cluster else None
    db.session.flush()
    signals.brainstorm_grouping_changed.send(session, by=by, placement={note.id: note.cluster_id})


def merge_clusters(source: Cluster, target: Cluster, *, by: User) -> None:
    """Move every note of ``source`` into ``target`` and remove ``source`` (while grouping)."""
    session = db.session.get(BrainstormSession, target.session_id)
    _require_grouping(session, by)
    if source.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
    if source.id == target.id:
        raise OperationError(_("Choose two different clusters to merge."))
    _still_there(source, target)
    moved = [
        row.id
        for row in db.session.execute(
            update(Note)
            .where(Note.cluster_id == source.id)
            .values(cluster_id=target.id)
            .returning(Note.id, Note.deleted_at, Note.hidden_at),
            execution_options={"synchronize_session": False},
        )
        if row.deleted_at is None and row.hidden_at is None  # the board knows only these
    ]
    removed = source.id
    db.session.delete(source)
    db.session.flush()
    db.session.expire_all()
    signals.brainstorm_grouping_changed.send(
        session, by=by, removed=removed, placement=dict.fromkeys(moved, target.id)
    )
