"""Every change to brainstorming sessions: scheduling, moving through the phases, notes,
clusters, dots and the participants' presence and "done" flags."""

from __future__ import annotations

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
    TIMED,
    BrainstormSession,
    Cluster,
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
from community.ideas.operations import submit_idea
from community.permissions import guardian
from community.spaces.models import Space

MINUTES_MAX = 120
EXTEND_MAX = 30
CLUSTERS_MAX = 100


def _require(user, action: str, obj, message: str) -> None:
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
    _require(
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


def _lock(session: BrainstormSession) -> None:
    """Take the session's row (a write first, so SQLite's writer lock too) and read it afresh,
    so two facilitator tabs cannot both advance from the same phase."""
    db.session.execute(
        update(BrainstormSession)
        .where(BrainstormSession.id == session.id)
        .values(phase=BrainstormSession.phase),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(session)


def advance_phase(session: BrainstormSession, *, by: User, expected: str | None = None) -> Phase:
    """Move the session to its next phase; timed phases get a fresh end time. ``expected``
    (the phase the facilitator saw) guards against advancing twice from two tabs."""
    _require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    _lock(session)
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


def extend_phase(session: BrainstormSession, *, by: User, minutes: int) -> datetime:
    """Give the current timed phase ``minutes`` more (from now if its time is already up)."""
    _require(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    _in_range(
        minutes, 1, EXTEND_MAX, _("Extend by 1 to %(count)d minutes.", count=EXTEND_MAX), "minutes"
    )
    _lock(session)
    if session.current_phase not in TIMED or session.phase_ends_at is None:
        raise OperationError(_("Only a timed phase can be extended."))
    start = max(session.phase_ends_at, utcnow())
    session.phase_ends_at = start + timedelta(minutes=minutes)
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=session.phase, by=by)
    return session.phase_ends_at


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
    _require(user, "brainstorm.join", session, _("Join this space to take part."))
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
    if note.deleted_at is not None or note.author_id != by.id:
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


def arrive(session: BrainstormSession, user: User) -> Participant:
    """Count one more open connection of ``user`` in the session (presence)."""
    _require(user, "brainstorm.join", session, _("Join this space to take part."))
    participant = _participant(session, user)
    db.session.execute(
        update(Participant)
        .where(Participant.id == participant.id)
        .values(connections=Participant.connections + 1)
    )
    db.session.refresh(participant)
    return participant


def leave(session_id: int, user_id: int) -> None:
    """Count one connection fewer (never below zero)."""
    db.session.execute(
        update(Participant)
        .where(
            Participant.session_id == session_id,
            Participant.user_id == user_id,
            Participant.connections > 0,
        )
        .values(connections=Participant.connections - 1)
    )


def mark_done(session: BrainstormSession, user: User, done: bool) -> Participant:
    """Say one is done with the current phase (or not any more)."""
    _require(user, "brainstorm.join", session, _("Join this space to take part."))
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    participant = _participant(session, user)
    participant.done = done
    db.session.flush()
    return participant


def _require_phase(session: BrainstormSession, user: User, phase: Phase, message: str) -> None:
    _require(user, "brainstorm.join", session, _("Join this space to take part."))
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    if session.current_phase != phase:
        raise OperationError(message)


def _require_grouping(session: BrainstormSession, user: User) -> None:
    _require_phase(session, user, Phase.GROUP, _("Notes can only be grouped while grouping."))
    _require(
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
    name = _clean_name(name)
    _lock(session)  # positions and the cap are counted one writer at a time
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


def move_note(note: Note, *, by: User, cluster: Cluster | None) -> None:
    """Put a note into ``cluster``, or take it out of any cluster with None (while grouping)."""
    session = db.session.get(BrainstormSession, note.session_id)
    _require_grouping(session, by)
    if cluster is not None and cluster.session_id != session.id:
        raise OperationError(_("That cluster isn't on this board."))
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


def _lock_voter(session: BrainstormSession, user: User) -> None:
    """One voter's tabs take turns: the participant row is locked until the commit on
    PostgreSQL; on SQLite the dot's write keeps every other writer out."""
    participant = db.session.scalar(
        select(Participant)
        .where(Participant.session_id == session.id, Participant.user_id == user.id)
        .with_for_update()
    )
    if participant is None:
        raise OperationError(_("Join the session first."))


def add_dot(
    session: BrainstormSession,
    *,
    by: User,
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> None:
    """Put one of ``by``'s dots on a note or a cluster (while voting), within the limits per
    participant and per item, however many tabs vote at once."""
    _require_phase(session, by, Phase.VOTE, _("Dots can only be placed while voting."))
    if (note is None) == (cluster is None):
        raise OperationError(_("Put the dot on one note or one cluster."))
    _lock_voter(session, by)
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
    _lock_voter(session, by)
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


def promote_to_idea(
    session: BrainstormSession,
    *,
    by: User,
    title: str,
    body: str,
    tags: str | list[str] = "",
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> Idea:
    """Post a note or a cluster of the results as an idea in the session's space (the
    facilitator and the space's moderators, from the results phase on); the idea keeps a link
    to the session and to the item, which can be promoted once."""
    _require(
        by,
        "brainstorm.promote",
        session,
        _("Only the facilitator and the space's moderators can turn results into ideas."),
    )
    if session.current_phase not in (Phase.RESULTS, Phase.CLOSED):
        raise OperationError(_("Notes and clusters become ideas once the results are in."))
    item = note if note is not None else cluster
    if (note is None) == (cluster is None) or item.session_id != session.id:
        raise OperationError(_("That note or cluster is not in this session."))
    if note is not None and note.deleted_at is not None:
        raise OperationError(_("That note or cluster is not in this session."))
    _lock(session)  # two promotions of the same item wait for each other
    column = Idea.brainstorm_note_id if note is not None else Idea.brainstorm_cluster_id
    existing = db.session.scalar(select(Idea.id).where(column == item.id))
    if existing is not None:
        raise OperationError(_("This was already promoted to idea #%(number)d.", number=existing))
    idea = submit_idea(session.space, author=by, title=title, body=body, tags=tags)
    idea.brainstorm_session_id = session.id
    idea.brainstorm_note_id = note.id if note is not None else None
    idea.brainstorm_cluster_id = cluster.id if cluster is not None else None
    db.session.flush()
    return idea
