"""Follows, notifications and the per-user settings that decide who is told what, and how."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db


class Level(enum.StrEnum):
    """How closely a user follows something (see docs/notifications.md)."""

    WATCHING = "watching"
    NORMAL = "normal"
    MUTED = "muted"


LEVEL_LABELS = {
    Level.WATCHING: _l("Watching"),
    Level.NORMAL: _l("Normal"),
    Level.MUTED: _l("Muted"),
}


class Target(enum.StrEnum):
    """What can be followed."""

    SPACE = "space"
    THREAD = "thread"
    IDEA = "idea"
    SESSION = "session"


TARGET_LABELS = {
    Target.SPACE: _l("Space"),
    Target.THREAD: _l("Thread"),
    Target.IDEA: _l("Idea"),
    Target.SESSION: _l("Brainstorming session"),
}


class Delivery(enum.StrEnum):
    """How a kind of notification reaches a user by e-mail."""

    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    NEVER = "never"


DELIVERY_LABELS = {
    Delivery.IMMEDIATELY: _l("Immediately"),
    Delivery.DIGEST: _l("Daily digest"),
    Delivery.NEVER: _l("Never"),
}


class MailState(enum.StrEnum):
    """Where a notification's e-mail stands."""

    NONE = "none"  # no e-mail (the preference was "never", or it was read first)
    IMMEDIATE = "immediate"  # sent on its own after the commit
    DIGEST = "digest"  # waiting for the next digest
    DIGESTED = "digested"  # went out in a digest


class Follow(db.Model):
    """A user following a space, thread, idea or session at some level."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column()
    level: Mapped[str] = mapped_column(String(16), default=Level.NORMAL.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationSettings(db.Model):
    """A user's automatic-follow choices and the time of their last digest."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    follow_created: Mapped[bool] = mapped_column(default=True)
    follow_voted: Mapped[bool] = mapped_column(default=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailPreference(db.Model):
    """How one kind of notification is e-mailed to one user (absent: the kind's default)."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))


class Notification(db.Model):
    """One thing one user is told about. What it points at is checked again whenever it is
    shown, mailed or pushed, so a notification never outlives the reader's right to read."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_mail_state", "mail_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="CASCADE")
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    mail_state: Mapped[str] = mapped_column(String(16), default=MailState.NONE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
