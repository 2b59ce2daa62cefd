"""Every write of notifications: following, the user's settings, making notifications, and
marking them read. Like all operations they change the session and never commit."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select, update

from community import signals
from community.accounts.models import User
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.notifications.delivery import DIGEST, deliver, push_count
from community.notifications.kinds import KINDS
from community.notifications.models import (
    Delivery,
    Follow,
    Level,
    MailPreference,
    MailState,
    Notification,
    NotificationSettings,
    Target,
)

_MAIL_STATE = {
    Delivery.IMMEDIATELY: MailState.IMMEDIATE,
    Delivery.DIGEST: MailState.DIGEST,
    Delivery.NEVER: MailState.NONE,
}


# Following ---------------------------------------------------------------------------------


def follow_of(user: User, target_type: str, target_id: int) -> Follow | None:
    """``user``'s follow of one thing, or None."""
    return db.session.scalar(
        select(Follow).where(
            Follow.user_id == user.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )


def set_follow(user: User, target_type: str, target_id: int, level: str | None) -> Follow | None:
    """Follow a thing at ``level`` (watching, normal, muted), or stop following it (None).

    The caller checks that ``user`` may read the thing."""
    if target_type not in {t.value for t in Target}:
        raise OperationError(_("That cannot be followed."))
    if level is not None and level not in {lv.value for lv in Level}:
        raise OperationError(_("Choose watching, normal or muted."), field="level")
    follow = follow_of(user, target_type, target_id)
    if level is None:
        if follow is not None:
            db.session.delete(follow)
            db.session.flush()
        return None
    if follow is None:
        follow = Follow(user_id=user.id, target_type=target_type, target_id=target_id)
        db.session.add(follow)
    follow.level = level
    db.session.flush()
    return follow


def auto_follow(user_id: int, target_type: str, target_id: int, level: Level, setting: str) -> None:
    """Follow on someone's behalf (they created or voted for it), unless their ``setting``
    (``follow_created`` or ``follow_voted``) is off or they already follow it in some way."""
    settings = db.session.get(NotificationSettings, user_id)
    if settings is not None and not getattr(settings, setting):
        return
    exists = db.session.scalar(
        select(Follow.id).where(
            Follow.user_id == user_id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    if exists is None:
        db.session.add(
            Follow(user_id=user_id, target_type=target_type, target_id=target_id, level=level)
        )
        db.session.flush()


# Settings ----------------------------------------------------------------------------------


def settings_of(user: User) -> NotificationSettings:
    """``user``'s settings row (made with the defaults, not yet saved, when missing)."""
    return db.session.get(NotificationSettings, user.id) or NotificationSettings(
        user_id=user.id, follow_created=True, follow_voted=True
    )


def update_settings(
    user: User, *, follow_created: bool, follow_voted: bool, deliveries: dict[str, str]
) -> None:
    """Save the automatic-follow choices and the e-mail delivery of each kind."""
    settings = settings_of(user)
    settings.follow_created, settings.follow_voted = bool(follow_created), bool(follow_voted)
    db.session.add(settings)
    for kind, delivery in deliveries.items():
        set_delivery(user.id, kind, delivery)
    db.session.flush()


def set_delivery(user_id: int, kind: str, delivery: str) -> None:
    """How ``kind`` is e-mailed to the user: immediately, in the daily digest, or never."""
    if kind not in KINDS:
        raise OperationError(_("That kind of notification does not exist."))
    if delivery not in {d.value for d in Delivery}:
        raise OperationError(_("Choose immediately, daily digest or never."))
    pref = db.session.get(MailPreference, (user_id, kind))
    if pref is None:
        db.session.add(MailPreference(user_id=user_id, kind=kind, delivery=delivery))
    else:
        pref.delivery = delivery
    db.session.flush()


def unsubscribe(user_id: int, kind: str) -> list[str]:
    """Stop e-mail of ``kind`` (or, for ``DIGEST``, of every kind now in the digest), as a
    signed unsubscribe link asks; returns the kinds."""
    if kind == DIGEST:
        kinds = [k for k, d in all_deliveries(user_id).items() if d == Delivery.DIGEST]
    else:
        kinds = [kind]
    for name in kinds:
        set_delivery(user_id, name, Delivery.NEVER.value)
    return kinds


def deliveries_of(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's delivery of ``kind`` (the kind's default where they chose none)."""
    ids = set(user_ids)
    chosen = dict(
        db.session.execute(
            select(MailPreference.user_id, MailPreference.delivery).where(
                MailPreference.kind == kind, MailPreference.user_id.in_(ids or {0})
            )
        ).all()
    )
    default = KINDS[kind].default.value
    return {uid: chosen.get(uid, default) for uid in ids}


def all_deliveries(user_id: int) -> dict[str, str]:
    """Every kind's delivery for one user."""
    chosen = dict(
        db.session.execute(
            select(MailPreference.kind, MailPreference.delivery).where(
                MailPreference.user_id == user_id
            )
        ).all()
    )
    return {name: chosen.get(name, kind.default.value) for name, kind in KINDS.items()}


# Notifying ---------------------------------------------------------------------------------


def notify(recipient: User | int, kind: str, **refs) -> list[Notification]:
    """Tell one user about something. See :func:`notify_all` for the arguments."""
    return notify_all([recipient], kind, **refs)


def notify_all(
    recipients: Iterable[User | int],
    kind: str,
    *,
    actor: User | None = None,
    space=None,
    thread=None,
    post=None,
    idea=None,
    session=None,
    data: dict | None = None,
) -> list[Notification]:
    """Make one notification of ``kind`` for each recipient (never the ``actor``), about the
    given space, thread, post, idea or brainstorming session.

    The caller has chosen the recipients and checked that they may read the thing; whether
    they still may is checked again whenever it is shown, e-mailed or pushed. Once the
    transaction commits, each recipient's open tabs get the new unread count and the item,
    and those who chose "immediately" for ``kind`` get an e-mail."""
    if kind not in KINDS:
        raise RuntimeError(f"unknown notification kind {kind!r}")
    ids = {r if isinstance(r, int) else r.id for r in recipients}
    ids.discard(actor.id if actor is not None else None)
    if not ids:
        return []
    deliveries = deliveries_of(ids, kind)
    made = []
    for user_id in sorted(ids):
        notification = Notification(
            user_id=user_id,
            kind=kind,
            actor_id=actor.id if actor else None,
            space_id=space.id if space is not None else None,
            thread_id=thread.id if thread is not None else None,
            post_id=post.id if post is not None else None,
            idea_id=idea.id if idea is not None else None,
            session_id=session.id if session is not None else None,
            data=data or {},
            mail_state=_MAIL_STATE[Delivery(deliveries[user_id])].value,
        )
        db.session.add(notification)
        made.append(notification)
    db.session.flush()
    _deliver_after_commit([n.id for n in made])
    return made


def _deliver_after_commit(ids: list[int]) -> None:
    pending = db.session().transaction_scoped("notifications_to_deliver", list)
    if not pending:
        signals.on_commit(deliver, pending)
    pending.extend(ids)


def upgrade_to(kind: str, post_id: int, user_ids: Iterable[int], *, actor: User | None) -> set[int]:
    """Turn this transaction's notifications about ``post_id`` for ``user_ids`` into ``kind``
    (a mention outranks a reply: one notification per person per event). Returns the users
    who already had one."""
    ids = set(user_ids)
    rows = list(
        db.session.scalars(
            select(Notification).where(
                Notification.post_id == post_id, Notification.user_id.in_(ids or {0})
            )
        )
    )
    deliveries = deliveries_of({n.user_id for n in rows}, kind)
    for n in rows:
        n.kind = kind
        n.actor_id = actor.id if actor else n.actor_id
        n.mail_state = _MAIL_STATE[Delivery(deliveries[n.user_id])].value
    db.session.flush()
    return {n.user_id for n in rows}


# Reading -----------------------------------------------------------------------------------


def mark_read(notification: Notification, *, by: User) -> None:
    """Mark one of ``by``'s notifications read (a waiting digest no longer mails it)."""
    if notification.user_id != by.id:
        raise OperationError(_("That isn't there."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        if notification.mail_state == MailState.DIGEST:
            notification.mail_state = MailState.NONE.value
        db.session.flush()
    signals.on_commit(push_count, by.id)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    now = utcnow()
    unread = (Notification.user_id == user.id, Notification.read_at.is_(None))
    db.session.execute(
        update(Notification)
        .where(*unread, Notification.mail_state == MailState.DIGEST.value)
        .values(mail_state=MailState.NONE.value)
    )
    count = db.session.execute(update(Notification).where(*unread).values(read_at=now)).rowcount
    db.session.flush()
    signals.on_commit(push_count, user.id)
    return count
