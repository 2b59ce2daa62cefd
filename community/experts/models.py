"""Expertise (the topic tags people declare, and who verified them where) and questions routed
to experts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db
from community.forums.models import Thread
from community.spaces.models import Space


class Expertise(db.Model):
    """One tag a user declared as their expertise, verified or not.

    A site admin verifies with no space; a space moderator or owner verifies for a member of
    their space, recorded in ``verified_in_space_id``. Removing the tag removes the row, and
    with it the verification. Someone with at least one verified tag is an expert.
    """

    __tablename__ = "expertise"
    __table_args__ = (
        UniqueConstraint("user_id", "tag"),
        # The directory and (later) routing look up verified experts by tag.
        Index("ix_expertise_tag_verified", "tag", "verified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(30))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_in_space_id: Mapped[int | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    verified_in_space: Mapped[Space | None] = relationship()

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        state = "verified" if self.is_verified else "declared"
        return f"<Expertise {self.user_id} {self.tag!r} {state}>"


class ReputationEntry(db.Model):
    """The points one person earned for one fact: an accepted answer (per question), a helpful
    mark (per mark), an idea that reached planned or shipped (per idea), or a brainstorm note
    that became an idea (per note). Entries follow the facts (``experts/reputation.py``), and
    ``flask reputation recount`` rebuilds them, and the totals in ``users.reputation``, from
    the facts alone."""

    __tablename__ = "reputation_entries"
    __table_args__ = (
        UniqueConstraint("kind", "source_id"),
        Index("ix_reputation_entries_space_awarded", "space_id", "awarded_at"),
        Index("ix_reputation_entries_user_kind", "user_id", "kind"),
        Index("ix_reputation_entries_awarded", "awarded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column()
    points: Mapped[int] = mapped_column()
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Badge(db.Model):
    """A milestone someone reached (``experts/reputation.py`` BADGES); kept once earned."""

    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(30))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoutingReason(enum.StrEnum):
    """Why a question reached someone."""

    ASKED = "asked"  # the asker ticked "Ask an expert"
    UNANSWERED = "unanswered"  # nobody answered it in time
    ESCALATED = "escalated"  # routed, but unclaimed and unanswered in time: to moderators
    PASSED = "passed"  # another routed person passed it on


REASON_LABELS = {
    RoutingReason.ASKED: _l("Asked for an expert"),
    RoutingReason.UNANSWERED: _l("Unanswered"),
    RoutingReason.ESCALATED: _l("Escalated"),
    RoutingReason.PASSED: _l("Passed on"),
}


class RoutedQuestion(db.Model):
    """A question that was routed to experts: one row per question, made the first time it
    is routed (even if nobody matched, so that it escalates). It holds the one claim and the
    first expert answer, the figures analytics reads."""

    __tablename__ = "routed_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # One claimer per question, set with a conditional UPDATE (see routing.claim_question).
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first reply by someone it was routed to.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_claimed(self) -> bool:
        return self.claimed_by_id is not None


class QuestionRouting(db.Model):
    """A routed question as one person received it: when and why, and what they did with it
    (claimed, passed on to someone, answered)."""

    __tablename__ = "question_routings"
    __table_args__ = (
        UniqueConstraint("thread_id", "expert_id"),
        # "Questions for you": someone's routed questions, newest first.
        Index("ix_question_routings_expert_routed", "expert_id", "routed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routed_question_id: Mapped[int] = mapped_column(
        ForeignKey("routed_questions.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    passed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    passed_on_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    passed_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    routed_question: Mapped[RoutedQuestion] = relationship()
    thread: Mapped[Thread] = relationship()
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    passed_by: Mapped[User | None] = relationship(foreign_keys=[passed_by_id])
    passed_on_to: Mapped[User | None] = relationship(foreign_keys=[passed_on_to_id])
