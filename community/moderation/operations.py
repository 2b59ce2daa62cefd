"""Every moderation write: flags, hiding and approving, the queue's actions on an item and its
author, warnings, suspensions, and the audit entry each of them records.

Each action takes a required reason and records an :class:`AuditEvent` with the item before
and after. Actions that reuse another feature's operation (deleting a post, locking a thread,
banning from a space) run it "as moderation", so that the audit receivers of those features'
signals (``receivers.py``) do not record the same act twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.brainstorms.models import Note
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas import operations as ideas
from community.ideas.models import Idea
from community.moderation.items import (
    item_words,
    listing,
    load_target,
    snapshot,
    target_type_of,
    words_digest,
)
from community.moderation.models import (
    FLAG_REASON_LABELS,
    REASON_MAX,
    AuditEvent,
    CaseState,
    Flag,
    FlagReason,
    ModerationCase,
    ModerationWarning,
)
from community.moderation.permissions import author_id_of, space_of, trusted_flagger
from community.permissions import guardian
from community.spaces import operations as spaces
from community.spaces.models import Space
from community.web.reasons import clean_reason

#: Actions that are decisions about someone's content or account (they are told).
DECISIONS = {
    "hide",
    "approve",
    "delete",
    "restore",
    "edit",
    "lock",
    "unlock",
    "move",
    "warn",
    "ban",
    "unban",
    "suspend",
    "unsuspend",
    "idea_merge",
    "idea_status",
}
SUSPEND_DAYS_MAX = 3650
BAN_DAYS_MAX = 3650
_ACTING = "moderation.acting"


def is_acting() -> bool:
    """True while a moderation action runs another feature's operation."""
    return bool(db.session.info.get(_ACTING))


@contextmanager
def _acting() -> Iterator[None]:
    db.session.info[_ACTING] = True
    try:
        yield
    finally:
        db.session.info.pop(_ACTING, None)


def _open_case(case: ModerationCase, target) -> None:
    """Start (or restart) a case from the item's words as they are now."""
    words = item_words(target)
    case.title, case.excerpt = listing(target, words)
    case.original, case.edited_at = words, None
    case.state = CaseState.OPEN.value
    case.updated_at = utcnow()


def note_edit(target) -> None:
    """The item's words changed: an open case lists them as they are now and is marked edited
    (unless they are back to what the case was opened with)."""
    case = case_for(target)
    if case is None or not case.is_open:
        return
    words = item_words(target)
    case.title, case.excerpt = listing(target, words)
    case.edited_at = utcnow() if words != case.original else None
    case.updated_at = utcnow()
    db.session.flush()


def record(
    action: str,
    *,
    by: User | None,
    target=None,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    space: Space | None = None,
    target_user: User | None = None,
) -> AuditEvent:
    """Write one audit entry; tell the affected person when it is a decision about them."""
    if space is None and target is not None:
        space = space_of(target)
    if target_user is None and target is not None:
        author_id = author_id_of(target)
        target_user = db.session.get(User, author_id) if author_id else None
    event = AuditEvent(
        actor_id=by.id if by is not None else None,
        action=action,
        target_type=target_type_of(target) if target is not None else "",
        target_id=target.id if target is not None else None,
        target_user_id=target_user.id if target_user is not None else None,
        space_id=space.id if space is not None else None,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(event)
    db.session.flush()
    if action in DECISIONS and target_user is not None and (by is None or by.id != target_user.id):
        signals.moderation_decided.send(
            event,
            action=action,
            target=target,
            author=target_user,
            reason=reason,
            by=by,
            space=space,
        )
    return event


def _case(target, *, create: bool = True) -> ModerationCase | None:
    target_type = target_type_of(target)
    case = db.session.scalar(
        select(ModerationCase).where(
            ModerationCase.target_type == target_type, ModerationCase.target_id == target.id
        )
    )
    if case is None and create:
        space = space_of(target)
        case = ModerationCase(
            target_type=target_type,
            target_id=target.id,
            space_id=space.id if space else None,
            author_id=author_id_of(target),
            reasons={},
            notes=[],
        )
        _open_case(case, target)
        try:
            with db.session.begin_nested():
                db.session.add(case)
        except IntegrityError:  # a concurrent first flag made it
            return _case(target, create=False)
    return case


def case_for(target) -> ModerationCase | None:
    """The queue's case for an item, if it was ever flagged or held."""
    return _case(target, create=False)


def _hideable(target) -> bool:
    """Threads, replies, ideas, notes and profiles (their bio) can be hidden; an opening post
    is hidden with its thread."""
    return isinstance(target, Thread | Post | Idea | Note | User) and not (
        isinstance(target, Post) and target.is_opening
    )


def _set_hidden(
    target, hidden: bool, *, by: User | None, held: bool = False, released: bool = False
) -> None:
    """Hide or show an item (``held``: for approval, never published yet). An idea's co-design
    thread is hidden and shown with it. ``released``: it was held and is now published (its
    readers are told of it as if it had just been written)."""
    if isinstance(target, Thread | Post):
        forums.set_hidden(target, hidden, held=held)
    elif isinstance(target, Idea):
        ideas.count_idea(target, -1)  # the space's idea counts follow, as for threads
        target.hidden_at = utcnow() if hidden else None
        ideas.count_idea(target, 1)
        target.held = held and hidden
        if target.thread is not None:
            forums.set_hidden(target.thread, hidden, held=held)
    else:
        target.hidden_at = utcnow() if hidden else None
    db.session.flush()
    signals.content_hidden.send(target, hidden=hidden, by=by, released=released)


def flag_content(target, *, by: User, reason: str, note: str = "") -> ModerationCase:
    """Flag an item for moderators. One flag per member and item; enough members' flags
    (``FLAG_HIDE_THRESHOLD``), or one from someone who moderates it, hide it pending review."""
    if isinstance(target, Post) and target.is_opening:
        target = target.thread
    guardian.ensure(by, "moderation.flag", target, _("You can't flag this."))
    if reason not in {r.value for r in FlagReason}:
        raise OperationError(_("Choose why you are flagging this."), field="reason")
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise OperationError(
            _("A note may have at most %(count)d characters.", count=REASON_MAX), field="note"
        )
    case = _case(target)
    already = _("You have already flagged this; moderators will look at it.")
    if db.session.scalar(select(Flag.id).where(Flag.case_id == case.id, Flag.user_id == by.id)):
        raise OperationError(already)
    trusted = trusted_flagger(by, target)
    flag = Flag(case_id=case.id, user_id=by.id, reason=reason, note=note, trusted=trusted)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        raise OperationError(already) from None
    if not case.is_open:  # decided before: judged afresh from the words as they are now
        _open_case(case, target)
    case.flag_count += 1
    case.reasons = {**(case.reasons or {}), reason: (case.reasons or {}).get(reason, 0) + 1}
    if note:
        case.notes = [*(case.notes or []), note]
    case.updated_at = utcnow()
    db.session.flush()
    signals.content_flagged.send(case, flag=flag, by=by)
    threshold = current_app.config["FLAG_HIDE_THRESHOLD"]
    if _hideable(target) and not target.is_hidden and (trusted or case.flag_count >= threshold):
        before = snapshot(target)
        _set_hidden(target, True, by=by if trusted else None)
        why = (
            _("Flagged by a moderator (%(reason)s).", reason=FLAG_REASON_LABELS[FlagReason(reason)])
            if trusted
            else _("Hidden automatically after %(count)d flags.", count=case.flag_count)
        )
        record(
            "hide", by=by if trusted else None, target=target, reason=why, before=before,
            after=snapshot(target),
        )  # fmt: skip
    return case


def _close(case: ModerationCase, *, dismiss: bool) -> None:
    if dismiss:
        db.session.execute(
            update(Flag)
            .where(Flag.case_id == case.id, Flag.dismissed_at.is_(None))
            .values(dismissed_at=utcnow())
        )
        case.flag_count, case.reasons, case.notes = 0, {}, []
    case.held = False
    case.state = CaseState.CLOSED.value
    case.updated_at = utcnow()
    db.session.flush()


def _target(case: ModerationCase):
    target = load_target(case.target_type, case.target_id)
    if target is None:
        raise OperationError(_("That item is gone."))
    return target


def _lock_words(case: ModerationCase, target) -> None:
    """Wait for (and then keep out) any edit of the item's words until the commit, and read
    them afresh. Rows are locked in the order an edit writes them (a thread before its
    opening post, an idea's thread before the idea), then the case, which an edit's receiver
    writes last; on SQLite that first write takes the database's write lock."""
    rows: list[tuple]
    if isinstance(target, Thread):
        opening = db.session.scalar(
            select(Post.id).where(Post.thread_id == target.id, Post.is_opening.is_(True))
        )
        rows = [(Thread, target.id), (Post, opening)]
    elif isinstance(target, Idea):
        rows = [(Thread, target.thread_id), (Idea, target.id)]
    else:
        rows = [(type(target), target.id)]
    for model, row_id in rows:
        if row_id is not None:
            db.session.execute(select(model.id).where(model.id == row_id).with_for_update())
    db.session.execute(
        update(ModerationCase).where(ModerationCase.id == case.id).values(updated_at=utcnow())
    )
    db.session.refresh(target)


def approve(case: ModerationCase, *, by: User, reason: str, seen: str) -> None:
    """The item is fine: dismiss its flags and show it again (or publish a held post).
    ``seen``: the :func:`words_digest` of the words the moderator read; words edited since
    are refused, to be read first."""
    guardian.ensure(by, "moderation.act", case)
    reason = clean_reason(reason)
    target = _target(case)
    _lock_words(case, target)
    if seen != words_digest(target):
        raise OperationError(
            _("It was edited after you opened it. Read it again as it is now, then decide.")
        )
    before = snapshot(target)
    if _hideable(target) and target.is_hidden:
        _set_hidden(target, False, by=by, released=case.held)
    _close(case, dismiss=True)
    record("approve", by=by, target=target, reason=reason, before=before, after=snapshot(target))


def hide(case: ModerationCase, *, by: User, reason: str) -> None:
    """Hide the item from readers (its author and moderators still see it, marked)."""
    guardian.ensure(by, "moderation.act", case)
    reason = clean_reason(reason)
    target = _target(case)
    if not _hideable(target):
        raise OperationError(_("That can't be hidden."))
    if target.is_hidden:
        raise OperationError(_("That is hidden already."))
    before = snapshot(target)
    _set_hidden(target, True, by=by)
    _close(case, dismiss=False)
    record("hide", by=by, target=target, reason=reason, before=before, after=snapshot(target))


def delete(case: ModerationCase, *, by: User, reason: str) -> None:
    """Delete the item the way its own feature deletes (threads and posts softly)."""
    guardian.ensure(by, "moderation.act", case)
    reason = clean_reason(reason)
    target = _target(case)
    before = snapshot(target)
    with _acting():
        if isinstance(target, Thread):
            opening = db.session.scalar(
                select(Post).where(Post.thread_id == target.id, Post.is_opening.is_(True))
            )
            forums.delete_post(opening, by=by)
        elif isinstance(target, Post):
            forums.delete_post(target, by=by)
        elif isinstance(target, Idea):
            after = None
            record("delete", by=by, target=target, reason=reason, before=before, after=after)
            _close(case, dismiss=False)
            ideas.delete_idea(target, by=by)
            return
        elif isinstance(target, Note):
            raise OperationError(_("Notes are not deleted here: hide the note instead."))
        else:
            raise OperationError(_("Profiles can't be deleted here; warn or suspend instead."))
    _close(case, dismiss=False)
    record("delete", by=by, target=target, reason=reason, before=before, after=snapshot(target))


def lock(case: ModerationCase, *, by: User, reason: str) -> None:
    """Lock the item's thread against new replies."""
    guardian.ensure(by, "moderation.act", case)
    reason = clean_reason(reason)
    target = _target(case)
    thread = target.thread if isinstance(target, Post | Idea) else target
    if not isinstance(thread, Thread):
        raise OperationError(_("Only threads can be locked."))
    if thread.locked:
        raise OperationError(_("This thread is locked already."))
    before = snapshot(thread)
    with _acting():
        forums.set_locked(thread, True, by=by)
    record("lock", by=by, target=thread, reason=reason, before=before, after=snapshot(thread))


def warn(user: User, *, by: User, reason: str, space: Space | None = None) -> ModerationWarning:
    """Warn someone: a recorded warning they see until they acknowledge it. In a space, its
    moderators may warn; site-wide, site moderators."""
    guardian.ensure(by, "moderation.warn", user, _("You may not warn this person."))
    if space is not None:
        guardian.ensure(by, "space.moderate", space)
    else:
        guardian.ensure(by, "moderation.site", None)
    reason = clean_reason(reason)
    warning = ModerationWarning(user_id=user.id, space_id=space.id if space else None, by_id=by.id)
    warning.reason = reason
    db.session.add(warning)
    db.session.flush()
    record("warn", by=by, target=user, target_user=user, space=space, reason=reason)
    return warning


def acknowledge_warning(warning: ModerationWarning, *, by: User) -> None:
    """The warned person has read the warning."""
    if warning.user_id != by.id:
        raise OperationError(_("That warning isn't yours."))
    if warning.acknowledged_at is None:
        warning.acknowledged_at = utcnow()
        db.session.flush()


def _days(days: int | None, most: int) -> int:
    if days is None or not 1 <= days <= most:
        raise OperationError(
            _("Give a number of days from 1 to %(most)d.", most=most), field="days"
        )
    return days


def ban(user: User, space: Space, *, by: User, reason: str, days: int | None) -> None:
    """Ban someone from a space for ``days`` (the spaces feature's ban)."""
    guardian.ensure(by, "space.moderate", space)
    reason = clean_reason(reason)
    until: datetime = utcnow() + timedelta(days=_days(days, BAN_DAYS_MAX))
    with _acting():
        spaces.ban_member(space, user, by=by, reason=reason, until=until)
    record(
        "ban", by=by, target=user, target_user=user, space=space, reason=reason,
        after={"until": until.isoformat()},
    )  # fmt: skip


def suspend(user: User, *, by: User, reason: str, days: int | None) -> None:
    """Suspend an account site-wide until a date (admins): no sign-in and no writes, and its
    open live connections are closed."""
    guardian.ensure(by, "moderation.suspend", user, _("Only admins may suspend, and not admins."))
    reason = clean_reason(reason)
    before = snapshot(user)
    user.suspended_until = utcnow() + timedelta(days=_days(days, SUSPEND_DAYS_MAX))
    db.session.flush()
    signals.user_suspended.send(user, until=user.suspended_until, reason=reason, by=by)
    record("suspend", by=by, target=user, reason=reason, before=before, after=snapshot(user))


def unsuspend(user: User, *, by: User, reason: str) -> None:
    """Lift a suspension early (admins)."""
    guardian.ensure(by, "moderation.suspend", user)
    reason = clean_reason(reason)
    if not user.is_suspended:
        raise OperationError(_("That account is not suspended."))
    before = snapshot(user)
    user.suspended_until = None
    db.session.flush()
    signals.user_suspended.send(user, until=None, reason=reason, by=by)
    record("unsuspend", by=by, target=user, reason=reason, before=before, after=snapshot(user))


def set_hold_new_posts(space: Space, hold: bool, *, by: User) -> None:
    """Hold new accounts' posts in the space for approval, or stop (its moderators)."""
    guardian.ensure(by, "moderation.queue", space)
    if space.hold_new_posts == hold:
        return
    space.hold_new_posts = hold
    db.session.flush()
    record(
        "settings", by=by, space=space, before={"hold_new_posts": not hold},
        after={"hold_new_posts": hold},
    )  # fmt: skip


def hold(target, *, reason: str) -> ModerationCase:
    """Hold a new member's post (or thread, or idea) for approval: hidden, in the queue."""
    before = snapshot(target)
    _set_hidden(target, True, by=None, held=True)
    case = _case(target)
    _open_case(case, target)
    case.held = True
    db.session.flush()
    record("hold", by=None, target=target, reason=reason, before=before, after=snapshot(target))
    return case
