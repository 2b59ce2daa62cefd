"""Getting notifications to people after the commit: the live push to their open tabs, the
immediate e-mail, the daily digest, and the signed one-click unsubscribe links in each mail.

Every path re-checks that the recipient may still read what a notification points at
(:func:`community.notifications.visibility.resolve`) and says nothing when they may not.
Operations schedule this work after their commit (``operations.py`` imports this module; this
module never imports the operations: what an unsubscribe link changes is an operation too).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, func, select, update

from community.accounts.events import NAMESPACE as ME_NAMESPACE
from community.accounts.events import user_rooms
from community.accounts.models import User
from community.database import utcnow
from community.extensions import db, mailer, socketio
from community.mail import Message
from community.notifications.kinds import KINDS
from community.notifications.models import (
    Delivery,
    MailPreference,
    MailState,
    Notification,
    NotificationSettings,
)
from community.notifications.visibility import Shown, resolve
from community.web.i18n import locale_of
from community.web.menu import menu_count

log = logging.getLogger(__name__)

#: The unsubscribe token's kind for "every kind I get in the digest".
DIGEST = "digest"


# Counting and pushing ----------------------------------------------------------------------


@menu_count("notifications")
def unread_select(user_id: int) -> Select:
    """The count of the user's unread notifications, as a statement (the menu's badge)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are unread (one query)."""
    return db.session.scalar(unread_select(user_id))


def push_count(user_id: int, shown: Shown | None = None) -> None:
    """Send the user's open tabs their unread count, and the new item if there is one: only
    tabs of sessions still signed in (a tab whose session has ended hears nothing)."""
    rooms = user_rooms(user_id)
    if not rooms:
        return
    payload: dict = {"count": unread_count(user_id)}
    if shown is not None:
        payload["item"] = {
            "id": shown.id,
            "text": shown.text,
            "url": url_for("notifications.centre", _anchor=f"n-{shown.id}"),
        }
    socketio.emit("notifications", payload, to=rooms, namespace=ME_NAMESPACE)


def _with_urls(func):
    """Run ``func`` where ``url_for`` works: in the request, or (for commands such as the
    routing pass and the digest) in a request context on ``SITE_URL``."""

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        if has_request_context():
            return func(*args, **kwargs)
        with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
            return func(*args, **kwargs)

    return wrapped


@_with_urls
def deliver(ids: list[int]) -> None:
    """After the commit that made them: push each new notification and mail the immediate
    ones, to recipients who may still read what they are about."""
    rows = list(
        db.session.scalars(
            select(Notification).where(Notification.id.in_(ids or [0])).order_by(Notification.id)
        )
    )
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({n.user_id for n in rows} or {0}))
        )
    }
    for notification in rows:
        user = users[notification.user_id]
        if not user.is_active:
            continue
        with force_locale(locale_of(user)):
            shown = resolve([notification], user)[0]
            if not shown.readable:
                continue
            push_count(user.id, shown)
            if notification.mail_state == MailState.IMMEDIATE:
                mailer.send_now(_immediate_mail(user, shown))


# Unsubscribing -----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="notifications-unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token that turns off e-mail of ``kind`` (or of the digest) for one user."""
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token was made for; None when it was tampered with."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if data.get("k") not in KINDS and data.get("k") != DIGEST:
        return None
    return data["u"], data["k"]


def _unsubscribe_url(user_id: int, kind: str) -> str:
    return url_for(
        "notifications.unsubscribe", token=unsubscribe_token(user_id, kind), _external=True
    )


def _headers(url: str) -> tuple[tuple[str, str], ...]:
    # RFC 8058 one-click: the mail client POSTs to the URL without a session.
    return (
        ("List-Unsubscribe", f"<{url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )


def _open_url(shown: Shown) -> str:
    return url_for("notifications.go", notification_id=shown.id, _external=True)


def _immediate_mail(user: User, shown: Shown) -> Message:
    kind = shown.notification.kind
    unsubscribe_url = _unsubscribe_url(user.id, kind)
    return Message(
        to=user.email,
        subject=shown.text,
        text=render_template(
            "notifications/email/notification.txt",
            user=user,
            shown=shown,
            url=_open_url(shown),
            kind_label=KINDS[kind].label,
            unsubscribe_url=unsubscribe_url,
        ),
        headers=_headers(unsubscribe_url),
    )


# Digests -----------------------------------------------------------------------------------


@_with_urls
def send_digests() -> int:
    """Mail each user with waiting digest items one digest of them all, and mark them sent.

    Running it again sends nothing new, and so does a run at the same time (two cron hosts):
    each run first claims the waiting items with one conditional UPDATE (``DIGEST`` →
    ``DIGESTED``, RETURNING the rows it changed), so an item is claimed by one run only; the
    other waits on the rows' locks and then finds them taken. Items the user may no longer
    read, or whose kind they have since set to something other than the digest, are left out
    (and not kept). Returns how many digests were sent."""
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.mail_state == MailState.DIGEST.value)
        .values(mail_state=MailState.DIGESTED.value)
        .returning(Notification.id)
    ).scalars()
    waiting = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(list(claimed) or [0]))
            .order_by(Notification.user_id, Notification.id)
            .execution_options(populate_existing=True)
        )
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in waiting:
        by_user[n.user_id].append(n)
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(set(by_user) or {0})))
    }
    prefs = defaultdict(dict)
    for pref in db.session.scalars(
        select(MailPreference).where(MailPreference.user_id.in_(set(by_user) or {0}))
    ):
        prefs[pref.user_id][pref.kind] = pref.delivery
    sent = 0
    now = utcnow()
    messages = []
    for user_id, items in by_user.items():
        user = users[user_id]
        wanted = [
            n
            for n in items
            if n.kind in KINDS
            and prefs[user_id].get(n.kind, KINDS[n.kind].default.value) == Delivery.DIGEST
        ]
        with force_locale(locale_of(user)):
            shown = [s for s in resolve(wanted, user) if s.readable] if user.is_active else []
            if shown:
                messages.append(_digest_mail(user, shown))
                sent += 1
        settings = db.session.get(NotificationSettings, user_id)
        if settings is None:
            settings = NotificationSettings(user_id=user_id)
            db.session.add(settings)
        settings.last_digest_at = now
    # Marked first, then sent (each mail a job enqueued after the commit): a crash in between
    # loses a digest rather than sending it twice.
    for message in messages:
        mailer.send(message)
    db.session.commit()
    return sent


def _digest_mail(user: User, shown: list[Shown]) -> Message:
    kinds = sorted({s.notification.kind for s in shown})
    unsubscribe_all = _unsubscribe_url(user.id, DIGEST)
    return Message(
        to=user.email,
        subject=ngettext(
            "Your Cocreate digest: %(num)d new notification",
            "Your Cocreate digest: %(num)d new notifications",
            len(shown),
        ),
        text=render_template(
            "notifications/email/digest.txt",
            user=user,
            items=[(s, _open_url(s)) for s in shown],
            kinds=[(KINDS[k].label, _unsubscribe_url(user.id, k)) for k in kinds],
            unsubscribe_all=unsubscribe_all,
        ),
        headers=_headers(unsubscribe_all),
    )
