"""Moderation: flags on content, the cases the queues list, warnings and the audit log.

Hiding uses one mechanism everywhere: a ``hidden_at`` column on the content row (threads,
posts, ideas, brainstorm notes, and users for their profile's bio), beside the
``deleted_at`` of soft deletion. A :class:`ModerationCase` is the
queue's row for one flagged or held item; it keeps the counts, the item's words when the case
opened (to show what changed since) and what the queue lists it by.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db
from community.spaces.models import Space
from community.web.reasons import REASON_MAX


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam"),
    FlagReason.ABUSE: _l("Abusive or harassing"),
    FlagReason.OFF_TOPIC: _l("Off-topic"),
    FlagReason.OTHER: _l("Something else"),
}


class TargetType(enum.StrEnum):
    THREAD = "thread"
    POST = "post"
    IDEA = "idea"
    NOTE = "note"
    USER = "user"


TARGET_LABELS = {
    TargetType.THREAD: _l("Thread"),
    TargetType.POST: _l("Reply"),
    TargetType.IDEA: _l("Idea"),
    TargetType.NOTE: _l("Brainstorm note"),
    TargetType.USER: _l("Profile"),
}


class CaseState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ModerationCase(db.Model):
    """One flagged or held item in the queue (one row per item, reopened by new flags)."""

    __tablename__ = "moderation_cases"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id"),
        Index("ix_moderation_cases_state_updated", "state", "updated_at"),
        Index("ix_moderation_cases_space_state", "space_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column()
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default=CaseState.OPEN.value)
    # Flags not yet dismissed, by reason: {"spam": 2, "other": 1}.
    flag_count: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    # Notes flaggers wrote (without who wrote them), newest last.
    notes: Mapped[list] = mapped_column(JSON, default=list)
    held: Mapped[bool] = mapped_column(default=False)
    # What the queue lists it by: its title (a reply's thread, a note's prompt) and the start
    # of its text, as they are now (edits while the case is open update them).
    title: Mapped[str] = mapped_column(String(200), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    # The item's words when the case was (re)opened ({"title"?, "body"}), to show what changed
    # since; ``edited_at``: when they were last changed while the case was open (None: not
    # changed, or changed back).
    original: Mapped[dict | None] = mapped_column(JSON)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    space: Mapped[Space | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.OPEN


class Flag(db.Model):
    """One member's flag on an item: one per user and item."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    trusted: Mapped[bool] = mapped_column(default=False)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModerationWarning(db.Model):
    """A recorded warning to a user from a moderator; the user sees it until acknowledged."""

    __tablename__ = "moderation_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    space: Mapped[Space | None] = relationship()


class AuditEvent(db.Model):
    """One moderation action: who did what to which item, where, when and why, with the item
    before and after (JSON)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_created", "created_at", "id"),
        Index("ix_audit_events_action", "action"),
        Index("ix_audit_events_space", "space_id"),
        Index("ix_audit_events_actor", "actor_id"),
        Index("ix_audit_events_target_user", "target_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(16), default="")
    target_id: Mapped[int | None] = mapped_column()
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
    space: Mapped[Space | None] = relationship()
