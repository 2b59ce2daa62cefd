"""Accounts: users, password-reset tokens and sign-ups waiting for their e-mail confirmation."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.database import TimestampMixin, UTCDateTime, utcnow
from community.extensions import db
from community.permissions import Role


def new_session_token() -> str:
    """A random token that, changed, signs out every other session of the user."""
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    """An account. ``username_key`` and ``email_key`` hold the normalised, case-folded forms
    that uniqueness is enforced on."""

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
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reputation points, the sum of the user's reputation entries (community/experts).
    reputation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Suspended site-wide until then (community/moderation): no sign-in, no writes.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The profile's own words (bio) hidden pending review after flags (community/moderation).
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reset_tokens: Mapped[list[PasswordResetToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and not self.is_suspended

    @property
    def is_hidden(self) -> bool:
        """Whether the profile's bio is hidden pending a moderator's review."""
        return self.hidden_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    def get_id(self) -> str:
        """The login identity: id plus session token, so changing the token ends old sessions."""
        return f"{self.id}:{self.session_token}"

    @property
    def site_role(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role}>"


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
