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
