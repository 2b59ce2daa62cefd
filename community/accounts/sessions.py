"""Signed-in sessions, one per browser or device: started at sign-in, checked on every
request and socket event, ended by signing out, from the sessions list, or all at once by a
password change or a suspension.

The login identity Flask-Login keeps in the session cookie and the remember cookie is
``"<user id>:<secret>"``; the database keeps only the secret's SHA-256 (:class:`UserSession`),
so ending a session on the server ends every copy of its cookies, wherever they are.
Operations here flush and send ``sessions_ended`` (which closes the sessions' live
connections after the commit); the caller commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.orm import joinedload

from community import signals
from community.accounts.models import User, UserSession
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.web.touch import touch_later

#: How stale ``last_seen_at`` may get before a request writes it again (not once per request).
SEEN_RESOLUTION = timedelta(minutes=5)
SECRET_MAX = 100

# What a User-Agent header says, in the order that tells browsers apart (Edge and Opera also
# say "Chrome", Chrome also says "Safari"); only these names are ever stored.
BROWSERS = [
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
]
SYSTEMS = [
    ("iOS", re.compile(r"\b(iPhone|iPod)\b")),
    ("iPadOS", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def digest(secret: str) -> str:
    """The stored form of a session secret (a long random string: a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def device_of(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) named by a User-Agent header; "" for what it doesn't say."""
    user_agent = user_agent[:512]
    browser = next((name for name, pattern in BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), "")
    return browser, system


def device_label(row: UserSession) -> str:
    """How the sessions list names a session's browser: "Firefox on Windows"."""
    if row.browser and row.system:
        return _("%(browser)s on %(system)s", browser=row.browser, system=row.system)
    if row.browser:
        return row.browser
    if row.system:
        return _("A browser on %(system)s", system=row.system)
    return _("An unknown browser")


def _idle_limit():
    return utcnow() - timedelta(seconds=current_app.config["SESSION_MAX_IDLE"])


def is_live(row: UserSession) -> bool:
    """Whether the session is still in use (not idle past ``SESSION_MAX_IDLE``)."""
    return row.last_seen_at > _idle_limit()


# Reads -------------------------------------------------------------------------------------


def load_user(identity: str) -> User | None:
    """Flask-Login's user loader, for pages, the API's cookie requests and every socket
    event: the active user whose live session has this identity, with the session attached
    (``user.signed_in_session``); None for anything else. One query."""
    user_id, _sep, secret = identity.partition(":")
    if not user_id.isdigit() or not secret or len(secret) > SECRET_MAX or not secret.isascii():
        return None
    row = db.session.scalar(_session_by_digest(), {"digest": digest(secret)})
    if row is None or row.user_id != int(user_id) or not is_live(row):
        return None
    if not row.user.is_active:
        return None
    row.secret = secret
    row.user.signed_in_session = row
    return row.user


@cache
def _session_by_digest() -> Select:
    """The loader's statement, for the secret's digest as the parameter ``digest``: built once
    (building it, its eager load of the user above all, costs more than running it)."""
    return (
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == bindparam("digest"))
    )


def sessions_of(user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first (one query)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.last_seen_at > _idle_limit())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def live_session_ids(user_id: int) -> list[int]:
    """The ids of the user's live sessions: where personal pushes go (one query)."""
    return list(
        db.session.scalars(
            select(UserSession.id).where(
                UserSession.user_id == user_id, UserSession.last_seen_at > _idle_limit()
            )
        )
    )


def keep_alive() -> None:
    """Before each request: note that the signed-in session is in use, at most every
    ``SEEN_RESOLUTION``, written after the request in a transaction of its own
    (``community/web/touch.py``), as the API does for its tokens. Static files and token
    requests are left alone."""
    if request.endpoint == "static" or "Authorization" in request.headers:
        return
    if not current_user.is_authenticated or current_user.signed_in_session is None:
        return
    row = current_user.signed_in_session
    now = utcnow()
    if now - row.last_seen_at > SEEN_RESOLUTION:
        touch_later(
            update(UserSession)
            .where(UserSession.id == row.id, UserSession.last_seen_at < now)
            .values(last_seen_at=now)
        )


# Operations --------------------------------------------------------------------------------


def start_session(user: User, *, user_agent: str = "") -> UserSession:
    """A new session for ``user`` on this browser (sign-in, sign-up, after a password
    change), attached as ``user.signed_in_session`` for Flask-Login to sign in with; the
    user's sessions idle past ``SESSION_MAX_IDLE`` are forgotten."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.last_seen_at <= _idle_limit()
        )
    )
    secret = secrets.token_urlsafe(32)
    browser, system = device_of(user_agent)
    row = UserSession(user_id=user.id, token_hash=digest(secret), browser=browser, system=system)
    db.session.add(row)
    db.session.flush()
    row.secret = secret
    user.signed_in_session = row
    return row


def _end(user: User, session_ids: list[int], reason: str) -> int:
    if not session_ids:
        return 0
    signals.sessions_ended.send(user, session_ids=session_ids, reason=reason)
    db.session.execute(delete(UserSession).where(UserSession.id.in_(session_ids)))
    return len(session_ids)


def end_session(row: UserSession, *, by: User, reason: str = "signed_out") -> None:
    """End one of ``by``'s own sessions (signing out, or from the sessions list)."""
    if row.user_id != by.id:
        raise OperationError(_("That session is not yours."))
    _end(by, [row.id], reason)


def end_other_sessions(user: User) -> int:
    """Sign ``user`` out everywhere but here; returns how many sessions ended."""
    keep = user.signed_in_session
    ids = [row.id for row in sessions_of(user) if keep is None or row.id != keep.id]
    return _end(user, ids, "revoked")


def end_all_sessions(user: User, *, reason: str) -> int:
    """End every session of ``user`` (a password change or reset, a suspension)."""
    ids = list(db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)))
    user.signed_in_session = None
    return _end(user, ids, reason)
