"""Accounts: users, their signed-in sessions, password-reset tokens and sign-ups waiting for
their e-mail confirmation."""

from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.database import Hideable, TimestampMixin, UTCDateTime, utcnow
from community.extensions import db
from community.permissions import Role


class User(UserMixin, TimestampMixin, Hideable, db.Model):
    """An account. ``username_key`` and ``email_key`` hold the normalised, case-folded forms
    that uniqueness is enforced on. Hiding (``is_hidden``) hides the profile's own words, its
    bio, pending review (community/moderation)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    username_key: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value, index=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(120), default="", index=True)
    segment: Mapped[str] = mapped_column(String(40), default="", index=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reputation points, the sum of the user's reputation entries (community/experts).
    reputation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Suspended site-wide until then (community/moderation): no sign-in, no writes.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reset_tokens: Mapped[list[PasswordResetToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    #: The session (a :class:`UserSession`) this object was signed in with: set by sign-in and
    #: by the session loader, None for API token requests. Not a column.
    signed_in_session = None

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and not self.is_suspended

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    def get_id(self) -> str:
        """The login identity kept in the session and remember cookies: the user's id and the
        secret of the session it was signed in with (:class:`UserSession`)."""
        if self.signed_in_session is None or not self.signed_in_session.secret:
            raise RuntimeError("start a session (accounts.sessions.start_session) first")
        return f"{self.id}:{self.signed_in_session.secret}"

    def __eq__(self, other: object) -> bool:
        """The same account (Flask-Login's mixin would compare login identities, which now
        differ from one signed-in session to another)."""
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = UserMixin.__hash__

    @property
    def site_role(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role}>"


class UserSession(db.Model):
    """One signed-in browser or device. The cookies carry a random secret; only its SHA-256
    is stored, so the table cannot be used to sign in. Signing out deletes the row, and with
    it every copy of that browser's cookies; a password change deletes all of the user's."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Refreshed at most every few minutes (``accounts.sessions.SEEN_RESOLUTION``).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: What the browser said it was, summarised ("Firefox", "Windows"; "" when unknown).
    browser: Mapped[str] = mapped_column(String(40), default="")
    system: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship()

    #: The secret itself, known only while handling a request that carries it. Not a column.
    secret = None

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class PasswordResetToken(db.Model):
    """A single-use, expiring password-reset token; only its SHA-256 digest is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="reset_tokens")


class SignupRequest(db.Model):
    """A sign-up waiting for its owner to follow the link e-mailed to ``email``; the account is
    created from it then. Only the token's SHA-256 digest and the password's hash are stored.
    Pending sign-ups reserve nothing: the first confirmed one takes the username and address."""

    __tablename__ = "signup_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


#: Customer segments, recorded on profiles and (later) on votes so R&D can weigh demand.
SEGMENTS: dict[str, LazyString] = {
    "enterprise": _l("Enterprise"),
    "mid_market": _l("Mid-market"),
    "small_business": _l("Small business"),
    "public_sector": _l("Public sector"),
    "education": _l("Education"),
    "individual": _l("Individual"),
    "partner": _l("Partner"),
    "staff": _l("Company staff"),
}
