"""Every change to brainstorming sessions: scheduling, moving through the phases, notes,
clusters, dots and the participants' presence and "done" flags."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms.models import (
    CLUSTER_NAME_MAX,
    NOTE_MAX,
    PROMPT_MAX,
    STALE_AFTER,
    TIMED,
    BrainstormSession,
    Cluster,
    Connection,
    Dot,
    Note,
    Participant,
    Phase,
    WhoMayGroup,
)
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea
from community.permissions import guardian
from community.spaces.models import Space

MINUTES_MAX = 120
EXTEND_MAX = 30
CLUSTERS_MAX = 100


def require(user, action: str, obj, message: str) -> None:
    if not guardian.can(user, action, obj):
        raise OperationError(message)


def _in_range(value: int, low: int, high: int, message: str, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise OperationError(message, field)
    return value


def create_session(
    space: Space,
    *,
    by: User,
    prompt: str,
    anonymous: bool = False,
    hidden_ideation: bool = True,
    dots_per_participant: int = 5,
    dots_per_item: int = 3,
    ideate_minutes: int = 10,
    group_minutes: int = 5,
    vote_minutes: int = 5,
    who_may_group: str = WhoMayGroup.EVERYONE.value,
    idea: Idea | None = None,
    scheduled_for: datetime | None = None,
) -> BrainstormSession:
    """Schedule a session in ``space`` with ``by`` as its facilitator (space experts,
    moderators and owners)."""
    require(
        by,
        "brainstorm.create",
        space,
        _("Only the space's experts, moderators and owners can run brainstorming sessions."),
    )
    prompt = " ".join(prompt.split())
    if not prompt or len(prompt) > PROMPT_MAX:
        raise OperationError(
            _("Give the session a prompt of at most %(count)d characters.", count=PROMPT_MAX),
            "prompt",
        )
    _in_range(dots_per_participant, 1, 20, _("Give each participant 1 to 20 dots."), "dots")
    _in_range(
        dots_per_item,
        1,
        dots_per_participant,
        _("Dots on one item must be between 1 and the dots each participant has."),
        "dots_per_item",
    )
    for field, value in (
        ("ideate_minutes", ideate_minutes),
        ("group_minutes", group_minutes),
        ("vote_minutes", vote_minutes),
    ):
        _in_range(
            value,
            1,
            MINUTES_MAX,
            _("A phase lasts 1 to %(count)d minutes.", count=MINUTES_MAX),
            field,
        )
    if who_may_group not in {w.value for w in WhoMayGroup}:
        raise OperationError(_("Choose who may group the notes."), "who_may_group")
    if idea is not None and idea.space_id != space.id:
        raise OperationError(_("Link an idea from this space."), "idea")
    session = BrainstormSession(
        space_id=space.id,
        facilitator_id=by.id,
        idea_id=idea.id if idea else None,
        prompt=prompt,
        anonymous=anonymous,
        hidden_ideation=hidden_ideation,
        dots_per_participant=dots_per_participant,
        dots_per_item=dots_per_item,
        ideate_minutes=ideate_minutes,
        group_minutes=group_minutes,
        vote_minutes=vote_minutes,
        who_may_group=who_may_group,
        scheduled_for=scheduled_for,
    )
    db.session.add(session)
    db.session.flush()
    signals.brainstorm_created.send(session, by=by)
    return session


def bump(session: BrainstormSession) -> None:
    """Count a change to the board: the session's row is written first (so SQLite's writer
    lock and PostgreSQL's row lock are held until the commit) and read afresh. Writers to one
    board take turns, so two facilitator tabs cannot both advance from the same phase, and the
    revisions that live updates carry are committed in order."""
    db.session.execute(
        update(BrainstormSession)
        .where(BrainstormSession.id == session.id)
        .values(revision=BrainstormSession.revision + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(session)


def advance_phase(session: BrainstormSession, *, by: User, expected: str | None = None) -> Phase:
    """Move the session to its next phase; timed phases get a fresh end time. ``expected``
    (the phase the facilitator saw) guards against advancing twice from two tabs."""
    require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    if expected is not None and expected != session.phase:
        raise OperationError(_("The session has already moved on."))
    old = session.current_phase
    new = session.next_phase
    assert new is not None  # only "closed" has no next phase
    now = utcnow()
    session.phase = new.value
    minutes = session.minutes_for(new)
    session.phase_ends_at = now + timedelta(minutes=minutes) if minutes else None
    session.paused_seconds = None
    if old == Phase.LOBBY:
        session.started_at = now
    if new == Phase.CLOSED:
        session.closed_at = now
    # Everyone starts each phase not done.
    db.session.execute(
        update(Participant).where(Participant.session_id == session.id).values(done=False)
    )
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=old.value, by=by)
    return new


def extend_phase(session: BrainstormSession, *, by: User, minutes: int) -> None:
    """Give the current timed phase ``minutes`` more (from now if its time is already up; on
    the stopped clock if it is paused)."""
    require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    _in_range(
        minutes, 1, EXTEND_MAX, _("Extend by 1 to %(count)d minutes.", count=EXTEND_MAX), "minutes"
    )
    bump(session)
    if session.current_phase not in TIMED:
        raise OperationError(_("Only a timed phase can be extended."))
    if session.paused_seconds is not None:
        session.paused_seconds += minutes * 60
    else:
        start = max(session.phase_ends_at or utcnow(), utcnow())
        session.phase_ends_at = start + timedelta(minutes=minutes)
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=session.phase, by=by)


def pause_phase(session: BrainstormSession, *, by: User) -> None:
    """Stop the clock of the current timed phase, keeping the time that is left."""
    require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    bump(session)
    if session.current_phase not in TIMED:
        raise OperationError(_("Only a timed phase has a clock to pause."))
    if session.paused_seconds is not None:
        raise OperationError(_("The clock is already paused."))
    left = math.ceil((session.phase_ends_at - utcnow()).total_seconds())
    if left <= 0:
        raise OperationError(_("Time is already up. Extend the phase or move on."))
    session.paused_seconds = left
    session.phase_ends_at = None
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=session.phase, by=by)


def resume_phase(session: BrainstormSession, *, by: User) -> None:
    """Start the paused clock again with the time that was left."""
    require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    bump(session)
    if session.paused_seconds is None or session.current_phase not in TIMED:
        raise OperationError(_("The clock is not paused."))
    session.phase_ends_at = utcnow() + timedelta(seconds=session.paused_seconds)
    session.paused_seconds = None
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=session.phase, by=by)


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
    require(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    if session.current_phase != Phase.IDEATE:
        raise OperationError(_("Notes can only be written while ideating."))


def add_note(session: BrainstormSession, *, author: User, text: str) -> Note:
    """Stick a new note on the board (during ideation)."""
    _require_ideation(session, author)
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
    require(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    return _participant(session, user)


def arrive(
    session: BrainstormSession, user: User, *, sid: str, user_session_id: int
) -> Participant:
    """Connection ``sid`` of ``user``, opened with signed-in session ``user_session_id``,
    opened the board: they are here (presence)."""
    participant = take_part(session, user)
    exists = db.session.scalar(
        select(Connection.id).where(Connection.sid == sid, Connection.session_id == session.id)
    )
    if exists is None:
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


def keep_alive(sids: list[str]) -> None:
    """The process holding these connections says they are still open."""
    if sids:
        db.session.execute(
            update(Connection).where(Connection.sid.in_(sids)).values(seen_at=utcnow())
        )


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
    require(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    participant = _participant(session, user)
    participant.done = done
    db.session.flush()
    signals.brainstorm_presence_changed.send(session, user_id=user.id)
    return participant


def _require_phase(session: BrainstormSession, user: User, phase: Phase, message: str) -> None:
    require(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    if session.current_phase != phase:
        raise OperationError(message)


def _require_grouping(session: BrainstormSession, user: User) -> None:
    _require_phase(session, user, Phase.GROUP, _("Notes can only be grouped while grouping."))
    require(
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
    signals.brainstorm_grouping_changed.send(session, by=by)
    return cluster


def rename_cluster(cluster: Cluster, *, by: User, name: str) -> None:
    """Give a cluster another name (while grouping)."""
    session = db.session.get(BrainstormSession, cluster.session_id)
    _require_grouping(session, by)
    cluster.name = _clean_name(name)
    db.session.flush()
    signals.brainstorm_grouping_changed.send(session, by=by)


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
    signals.brainstorm_grouping_changed.send(session, by=by)


def merge_clusters(source: Cluster, target: Cluster, *, by: User) -> None:
    """Move every note of ``source`` into ``target`` and remove ``source`` (while grouping)."""
    session = db.session.get(BrainstormSession, target.session_id)
    _require_grouping(session, by)
    if source.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
    if source.id == target.id:
        raise OperationError(_("Choose two different clusters to merge."))
    _still_there(source, target)
    db.session.execute(
        update(Note).where(Note.cluster_id == source.id).values(cluster_id=target.id),
        execution_options={"synchronize_session": False},
    )
    db.session.delete(source)
    db.session.flush()
    db.session.expire_all()
    signals.brainstorm_grouping_changed.send(session, by=by)


def _dots(session: BrainstormSession, user: User, *where) -> int:
    return db.session.scalar(
        select(func.count(Dot.id)).where(
            Dot.session_id == session.id, Dot.user_id == user.id, *where
        )
    )


def _on(note: Note | None, cluster: Cluster | None) -> tuple:
    return (Dot.note_id == note.id,) if note is not None else (Dot.cluster_id == cluster.id,)


def _require_participant(session: BrainstormSession, user: User) -> None:
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
    _require_phase(session, by, Phase.VOTE, _("Dots can only be placed while voting."))
    if (note is None) == (cluster is None):
        raise OperationError(_("Put the dot on one note or one cluster."))
    _require_participant(session, by)
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
    signals.brainstorm_dots_changed.send(session, by=by)


def remove_dot(
    session: BrainstormSession,
    *,
    by: User,
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> None:
    """Take back one of ``by``'s dots from a note or a cluster (while voting)."""
    _require_phase(session, by, Phase.VOTE, _("Dots can only be placed while voting."))
    if (note is None) == (cluster is None):
        raise OperationError(_("Put the dot on one note or one cluster."))
    _require_participant(session, by)
    dot = db.session.scalar(
        select(Dot)
        .where(Dot.session_id == session.id, Dot.user_id == by.id, *_on(note, cluster))
        .order_by(Dot.id.desc())
        .limit(1)
    )
    # A statement, not the loaded row: a parallel tab may have taken the same dot back.
    if dot is None or not db.session.execute(delete(Dot).where(Dot.id == dot.id)).rowcount:
        raise OperationError(_("You have no dot there."))
    signals.brainstorm_dots_changed.send(session, by=by)
