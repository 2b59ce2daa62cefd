"""Brainstorming sessions and their board as a whole: scheduling a session, its settings, and
moving it through its phases and their clocks.

What people put on the board lives beside it: ``notes.py`` (notes, and the clusters they are
grouped into), ``dots.py`` (voting with dots) and ``undo.py``; who is on the board (participants,
their connections, "done") is ``presence.py``. Every change to a board starts with
:func:`bump` (or :func:`require_phase`, which bumps), so writers to one board take turns."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community import signals
from community.accounts.models import User
from community.brainstorms import outbox
from community.brainstorms.models import (
    PHASES,
    PROMPT_MAX,
    TIMED,
    BrainstormSession,
    DotTotals,
    Participant,
    Phase,
    TimerMode,
    Undo,
    UndoKind,
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
    dot_totals: str = DotTotals.HIDDEN.value,
    timer_mode: str = TimerMode.HARD.value,
    idea: Idea | None = None,
    scheduled_for: datetime | None = None,
) -> BrainstormSession:
    """Schedule a session in ``space`` with ``by`` as its facilitator (space experts,
    moderators and owners)."""
    guardian.ensure(
        by,
        "brainstorm.create",
        space,
        _("Only the space's experts, moderators and owners can run brainstorming sessions."),
    )
    settings = _check_settings(
        prompt=prompt,
        anonymous=anonymous,
        hidden_ideation=hidden_ideation,
        dots_per_participant=dots_per_participant,
        dots_per_item=dots_per_item,
        ideate_minutes=ideate_minutes,
        group_minutes=group_minutes,
        vote_minutes=vote_minutes,
        who_may_group=who_may_group,
        timer_mode=timer_mode,
        scheduled_for=scheduled_for,
    )
    if dot_totals not in {d.value for d in DotTotals}:
        raise OperationError(_("Choose when participants see the dot totals."), "dot_totals")
    if idea is not None and idea.space_id != space.id:
        raise OperationError(_("Link an idea from this space."), "idea")
    session = BrainstormSession(
        space_id=space.id,
        facilitator_id=by.id,
        idea_id=idea.id if idea else None,
        dot_totals=dot_totals,
        **settings,
    )
    db.session.add(session)
    db.session.flush()
    signals.brainstorm_created.send(session, by=by)
    return session


#: How far ahead a session may be scheduled.
SCHEDULE_AHEAD = timedelta(days=366)
#: From which phase on each setting stays as it is (``update_settings``). ``dot_totals`` is
#: chosen once, when the session is scheduled.
LOCKED_FROM = {
    "anonymous": Phase.IDEATE,
    "hidden_ideation": Phase.IDEATE,
    "scheduled_for": Phase.IDEATE,
    "ideate_minutes": Phase.IDEATE,
    "group_minutes": Phase.GROUP,
    "who_may_group": Phase.VOTE,
    "dots_per_participant": Phase.VOTE,
    "dots_per_item": Phase.VOTE,
    "vote_minutes": Phase.VOTE,
    "timer_mode": Phase.RESULTS,
    "prompt": Phase.CLOSED,
}


def _locked_message(phase: Phase) -> str:
    return {
        Phase.IDEATE: _("This can only change before the session starts."),
        Phase.GROUP: _("This can only change before grouping starts."),
        Phase.VOTE: _("This can only change before voting starts."),
        Phase.RESULTS: _("This can only change before the vote closes."),
        Phase.CLOSED: _("This session has ended."),
    }[phase]


def locked_settings(session: BrainstormSession) -> dict[str, str]:
    """The settings that may no longer change in the session's phase, with why."""
    now = PHASES.index(session.current_phase)
    return {
        field: _locked_message(phase)
        for field, phase in LOCKED_FROM.items()
        if PHASES.index(phase) <= now
    }


def _check_settings(**settings) -> dict:
    """Check a session's settings (every one of them, as they will be); returns them with the
    prompt's spaces tidied."""
    prompt = settings["prompt"]
    prompt = " ".join(prompt.split()) if isinstance(prompt, str) else ""
    if not prompt or len(prompt) > PROMPT_MAX:
        raise OperationError(
            _("Give the session a prompt of at most %(count)d characters.", count=PROMPT_MAX),
            "prompt",
        )
    _in_range(
        settings["dots_per_participant"], 1, 20, _("Give each participant 1 to 20 dots."), "dots"
    )
    _in_range(
        settings["dots_per_item"],
        1,
        settings["dots_per_participant"],
        _("Dots on one item must be between 1 and the dots each participant has."),
        "dots_per_item",
    )
    for field in ("ideate_minutes", "group_minutes", "vote_minutes"):
        _in_range(
            settings[field],
            1,
            MINUTES_MAX,
            _("A phase lasts 1 to %(count)d minutes.", count=MINUTES_MAX),
            field,
        )
    if settings["who_may_group"] not in {w.value for w in WhoMayGroup}:
        raise OperationError(_("Choose who may group the notes."), "who_may_group")
    if settings["timer_mode"] not in {t.value for t in TimerMode}:
        raise OperationError(_("Choose a hard or a soft timer."), "timer_mode")
    for field in ("anonymous", "hidden_ideation"):
        if field in settings and not isinstance(settings[field], bool):
            raise OperationError(_("That request was not understood."), field)
    scheduled = settings["scheduled_for"]
    if scheduled is not None and (
        not isinstance(scheduled, datetime)
        or scheduled.tzinfo is None
        or not utcnow() - timedelta(days=1) <= scheduled <= utcnow() + SCHEDULE_AHEAD
    ):
        raise OperationError(_("Schedule the session within the next year."), "scheduled_for")
    return {**settings, "prompt": prompt}


def update_settings(session: BrainstormSession, *, by: User, **changes) -> set[str]:
    """Change the session's settings (its facilitator): each as :func:`create_session` checks
    it, and only while the session's phase allows (``LOCKED_FROM``); returns what changed."""
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    unknown = set(changes) - set(LOCKED_FROM)
    if unknown:
        raise OperationError(_("That request was not understood."), sorted(unknown)[0])
    changed = _settings_changes(session, changes)
    if not changed:
        return set()  # nothing to change: no revision used
    bump(session)  # the phase, read afresh, decides what is locked
    changed = _settings_changes(session, changes)
    locked = locked_settings(session)
    for field in sorted(changed, key=list(LOCKED_FROM).index):
        if field in locked:
            raise OperationError(locked[field], field)
    for field, value in changed.items():
        setattr(session, field, value)
    db.session.flush()
    signals.brainstorm_settings_changed.send(session, by=by, fields=set(changed))
    return set(changed)


def _settings_changes(session: BrainstormSession, changes: dict) -> dict:
    """The checked settings of ``changes`` that differ from the session's."""
    current = {field: getattr(session, field) for field in LOCKED_FROM}
    wanted = {**current, **changes}
    if wanted["scheduled_for"] == current["scheduled_for"]:  # kept: may be past by now
        wanted["scheduled_for"] = None
    settings = _check_settings(**wanted)
    settings["scheduled_for"] = changes.get("scheduled_for", current["scheduled_for"])
    return {f: settings[f] for f in LOCKED_FROM if settings[f] != current[f]}


def bump(session: BrainstormSession) -> None:
    """Count a change to the board, once per transaction: the session's row is written first
    (so SQLite's writer lock and PostgreSQL's row lock are held until the commit) and read
    afresh. Writers to one board take turns, so two facilitator tabs cannot both advance from
    the same phase, and the revisions that live updates carry are committed in order, one per
    transaction (its patch: ``outbox.py``)."""
    if outbox.opened(session):
        return  # already written (and locked) by this transaction
    db.session.execute(
        update(BrainstormSession)
        .where(BrainstormSession.id == session.id)
        .values(revision=BrainstormSession.revision + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(session)
    outbox.outbox(session)


def remember_undo(
    session: BrainstormSession, kind: UndoKind, *, by: User, phase: Phase | None = None, **fields
) -> Undo:
    """Keep what undoing the change just made to the board needs (``undo.py``), from the rows
    themselves, never from what a client sent."""
    undo = Undo(
        session_id=session.id,
        user_id=by.id,
        kind=kind.value,
        phase=(phase or session.current_phase).value,
        revision=session.revision,
        **fields,
    )
    db.session.add(undo)
    db.session.flush()
    return undo


def _seconds_left(session: BrainstormSession) -> int | None:
    """The time left on a running (or paused) clock, or None when there is none or it is up."""
    if session.paused_seconds is not None:
        return session.paused_seconds
    if session.phase_ends_at is None:
        return None
    left = math.ceil((session.phase_ends_at - utcnow()).total_seconds())
    return left if left > 0 else None


def _done_user_ids(session: BrainstormSession) -> list[int]:
    return sorted(
        db.session.scalars(
            select(Participant.user_id).where(
                Participant.session_id == session.id, Participant.done.is_(True)
            )
        )
    )


def advance_phase(session: BrainstormSession, *, by: User, expected: str | None = None) -> Phase:
    """Move the session to its next phase; timed phases get a fresh end time. ``expected``
    (the phase the facilitator saw) guards against advancing twice from two tabs. What could
    be undone in the old phase no longer can; ending a phase while its clock still runs can
    be undone (``undo.py``)."""
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))
    if expected is not None and expected != session.phase:
        raise OperationError(_("The session has already moved on."))
    old = session.current_phase
    new = session.next_phase
    assert new is not None  # only "closed" has no next phase
    left = _seconds_left(session) if old in TIMED else None
    was_paused = session.paused_seconds is not None
    done = _done_user_ids(session) if left else []
    db.session.execute(delete(Undo).where(Undo.session_id == session.id))
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
    if left:
        remember_undo(
            session,
            UndoKind.ADVANCE,
            by=by,
            data={"from": old.value, "seconds_left": left, "paused": was_paused, "done": done},
        )
    signals.brainstorm_phase_changed.send(session, old=old.value, by=by)
    return new


def extend_phase(session: BrainstormSession, *, by: User, minutes: int) -> None:
    """Give the current timed phase ``minutes`` more (from now if its time is already up; on
    the stopped clock if it is paused)."""
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
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


def take_over(session: BrainstormSession, *, by: User) -> None:
    """Make ``by`` (a moderator of the space) the facilitator of a session whose facilitator
    is gone (``brainstorm.take_over``); checked again once the board is locked."""
    message = _(
        "Only a moderator of this space can take over, and only while the facilitator is away."
    )
    guardian.ensure(by, "brainstorm.take_over", session, message)
    bump(session)
    if not guardian.can(by, "brainstorm.take_over", session):
        raise OperationError(message)
    previous = session.facilitator_id
    session.facilitator_id = by.id
    db.session.flush()
    db.session.refresh(session, ["facilitator"])
    signals.brainstorm_settings_changed.send(
        session, by=by, fields={"facilitator"}, previous=previous
    )


def pause_phase(session: BrainstormSession, *, by: User) -> None:
    """Stop the clock of the current timed phase, keeping the time that is left."""
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
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
    guardian.ensure(by, "brainstorm.facilitate", session, _("Only the facilitator can do that."))
    bump(session)
    if session.paused_seconds is None or session.current_phase not in TIMED:
        raise OperationError(_("The clock is not paused."))
    session.phase_ends_at = utcnow() + timedelta(seconds=session.paused_seconds)
    session.paused_seconds = None
    db.session.flush()
    signals.brainstorm_phase_changed.send(session, old=session.phase, by=by)


def open_board(session: BrainstormSession, user: User) -> None:
    """Refuse anyone who may not take part, then :func:`bump` and refuse a closed session."""
    guardian.ensure(user, "brainstorm.join", session, _("Join this space to take part."))
    bump(session)
    if session.is_closed:
        raise OperationError(_("This session has ended."))


def require_phase(session: BrainstormSession, user: User, phase: Phase, message: str) -> None:
    """Before a participant's change to the board: they may take part, the board is bumped,
    and the session is open and in ``phase`` (else ``message``)."""
    open_board(session, user)
    if session.current_phase != phase:
        raise OperationError(message)


def require_time_left(session: BrainstormSession) -> None:
    """After :func:`require_phase`: refuse what a phase collects (new or edited notes while
    ideating, dots while voting) once its hard timer ran out, by the server's clock, until the
    facilitator extends the phase; a soft timer and a paused clock never refuse."""
    if session.closed_by_clock:
        raise OperationError(_("Time is up. The facilitator can extend the phase."))
