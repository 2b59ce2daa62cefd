"""Spaces (communities), their topic tags, memberships and invite links."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import TimestampMixin, UTCDateTime, utcnow
from community.extensions import db

#: The largest vote budget a space may set (votes per member; no budget means no limit).
VOTE_BUDGET_MAX = 1000


class Visibility(enum.StrEnum):
    """Who may read a space, and who may write in it."""

    PUBLIC = "public"  # anyone reads; members write (joining is one click)
    RESTRICTED = "restricted"  # anyone reads; approved members write
    PRIVATE = "private"  # members only; invisible to everyone else


class SpaceRole(enum.StrEnum):
    """Roles inside one space, each including the powers of those before it."""

    MEMBER = "member"
    EXPERT = "expert"
    MODERATOR = "moderator"
    OWNER = "owner"

    def at_least(self, other: SpaceRole) -> bool:
        return _SPACE_ROLE_RANKS[self] >= _SPACE_ROLE_RANKS[other]


#: Each space role's place in the order, worked out once.
_SPACE_ROLE_RANKS: dict[str, int] = {role: rank for rank, role in enumerate(SpaceRole)}


class MembershipState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    BANNED = "banned"


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public"),
    Visibility.RESTRICTED: _l("Restricted"),
    Visibility.PRIVATE: _l("Private"),
}
VISIBILITY_HINTS = {
    Visibility.PUBLIC: _l("Anyone can read; anyone who joins can write."),
    Visibility.RESTRICTED: _l("Anyone can read; members approved by moderators can write."),
    Visibility.PRIVATE: _l("Only members can see it; joining needs approval or an invite."),
}
SPACE_ROLE_LABELS = {
    SpaceRole.MEMBER: _l("Member"),
    SpaceRole.EXPERT: _l("Expert"),
    SpaceRole.MODERATOR: _l("Moderator"),
    SpaceRole.OWNER: _l("Owner"),
}


class Space(TimestampMixin, db.Model):
    """A community: a place with its own members, forum and (later) ideas and sessions."""

    __tablename__ = "spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_count: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)
    # Live questions and discussions (of the ``thread_count``; the rest are co-design threads):
    # the thread list's count for its tabs without reading the threads
    # (``forums.queries.threads_page``); kept by ``forums.operations``, ``flask forums recount``
    # repairs them.
    question_count: Mapped[int] = mapped_column(default=0, server_default="0")
    discussion_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # How many open ideas one person may support at a time here; None: no limit.
    vote_budget: Mapped[int | None] = mapped_column(default=None)
    # A community of expertise: its member list shows expertise, and joining needs approval.
    expert_community: Mapped[bool] = mapped_column(default=False)
    # New accounts' posts here wait in the moderation queue until approved.
    hold_new_posts: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Moves on whenever someone may read less of the space (its visibility changed; a member
    # left, was banned, or lost the admin role). Live rooms of private content carry it, so a
    # connection let in before the change stops receiving at once, in every server process,
    # until it is let in again (``spaces.operations.recheck_access``).
    access_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # The language the space's content is in (a locale of ``LANGUAGES``): what the app writes
    # into the space itself (a promoted note's idea, a "What's new" draft, export headers) is
    # written in it, whatever language the person acting reads (``web.i18n.content_language``).
    content_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

    tags: Mapped[list[SpaceTag]] = relationship(
        cascade="all, delete-orphan", order_by="SpaceTag.tag", lazy="selectin"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    def __repr__(self) -> str:
        return f"<Space {self.slug!r} {self.visibility}>"


class SpaceTag(db.Model):
    """A topic tag of a space."""

    __tablename__ = "space_tags"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class Membership(TimestampMixin, db.Model):
    """A user's standing in a space: role and state (pending, active or banned)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("space_id", "user_id"),
        Index("ix_memberships_user_state", "user_id", "state"),
        # A space's staff (owners, moderators, experts) for its side panel, without reading
        # every member's row.
        Index("ix_memberships_space_role", "space_id", "role", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (space, user) and ix_memberships_space_role begin with it.
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=SpaceRole.MEMBER.value)
    state: Mapped[str] = mapped_column(String(16), default=MembershipState.ACTIVE.value)
    request_note: Mapped[str] = mapped_column(String(500), default="")
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ban_reason: Mapped[str] = mapped_column(String(500), default="")

    space: Mapped[Space] = relationship()
    user: Mapped[User] = relationship()

    @property
    def space_role(self) -> SpaceRole:
        return SpaceRole(self.role)

    def is_banned(self, now: datetime | None = None) -> bool:
        """Banned, and the ban (if it has an end) has not run out."""
        if self.state != MembershipState.BANNED:
            return False
        return self.banned_until is None or self.banned_until > (now or utcnow())

    @property
    def is_active_member(self) -> bool:
        return self.state == MembershipState.ACTIVE


class SpaceInvite(db.Model):
    """An invite link to a space that expires; only a digest of its token is stored."""

    __tablename__ = "space_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    use_count: Mapped[int] = mapped_column(default=0)
    requires_approval: Mapped[bool] = mapped_column(default=False)

    space: Mapped[Space] = relationship()
    created_by: Mapped[User | None] = relationship()

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())
