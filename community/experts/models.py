"""Expertise: the topic tags people declare, and who verified them where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db
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
