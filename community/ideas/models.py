"""Ideas, their votes and their status timeline."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import Hideable, UTCDateTime, utcnow
from community.extensions import db
from community.forums.models import Thread
from community.spaces.models import Space

if TYPE_CHECKING:
    from community.products.models import Product, Release


class IdeaStatus(enum.StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    MERGED = "merged"


#: Statuses in which an idea no longer takes votes.
CLOSED = {IdeaStatus.SHIPPED, IdeaStatus.DECLINED, IdeaStatus.MERGED}

STATUS_LABELS = {
    IdeaStatus.NEW: _l("New"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.PLANNED: _l("Planned"),
    IdeaStatus.IN_PROGRESS: _l("In progress"),
    IdeaStatus.SHIPPED: _l("Shipped"),
    IdeaStatus.DECLINED: _l("Declined"),
    IdeaStatus.MERGED: _l("Merged"),
}


class Idea(Hideable, db.Model):
    """A proposal for the product, with its co-design thread and its votes."""

    __tablename__ = "ideas"
    __table_args__ = (
        # A space's ideas with a status, and what a list shows whom (``queries.shown_ideas``):
        # the list's count reads this index alone.
        Index("ix_ideas_space_shown", "space_id", "status", "hidden_at", "author_id"),
        # The hidden ideas of a space a list adds to its kept counts (``queries.ideas_page``):
        # only hidden ideas have an entry.
        Index(
            "ix_ideas_space_hidden",
            "space_id",
            "status",
            "author_id",
            "hidden_at",
            sqlite_where=text("hidden_at IS NOT NULL"),
            postgresql_where=text("hidden_at IS NOT NULL"),
        ),
        # A space's ideas lists read these in order (ties by id, as they sort) and stop after
        # their page.
        Index("ix_ideas_space_votes", "space_id", "vote_count", "id"),
        # Insights' top ideas by votes in a range walk the ideas from the most voted down
        # (``community.analytics.votes``), checking space and product in the index.
        Index("ix_ideas_votes", "vote_count", "id", "space_id", "product_id"),
        Index("ix_ideas_space_created", "space_id", "created_at", "id"),
        Index("ix_ideas_space_updated", "space_id", "updated_at", "id"),
        # Trending lists read these in order and stop after their page (see ``trending``).
        Index("ix_ideas_trend", "trend", "id"),
        Index("ix_ideas_space_trend", "space_id", "trend", "id"),
        # An idea's page lists the ideas merged into it.
        Index("ix_ideas_merged_into", "merged_into_id"),
        # A reply in a co-design thread finds its idea.
        Index("ix_ideas_thread_id", "thread_id"),
        # Insights' funnel and demand across all spaces: ideas proposed in a date range,
        # counted from the index alone.
        Index(
            "ix_ideas_created",
            "created_at",
            "status",
            "space_id",
            "product_id",
            "brainstorm_session_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.NEW.value)
    vote_count: Mapped[int] = mapped_column(default=0)
    #: The trending order's kept value (``community/ideas/trending.py``): sort by it, descending.
    #: A new idea's value is set as it is inserted (``trending.count_the_proposal``).
    trend: Mapped[float] = mapped_column(Float, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    # The product it is for (one its space owns), and the release that delivered it: each set
    # by a moderator as an act of its own, recorded on the timeline (community/products).
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A hidden idea (``hidden_at``, from ``Hideable``) is left out of lists and search.
    # Held for a moderator's approval (always hidden too): never published yet, so only its
    # author and the space's moderators know it exists.
    held: Mapped[bool] = mapped_column(default=False)
    # The author may edit until someone else votes or the status changes.
    author_may_edit: Mapped[bool] = mapped_column(default=True)
    # Promoted from a brainstorming session: the session and the note or cluster it came from
    # (unique, so an item is promoted once). use_alter: sessions also point at ideas.
    brainstorm_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_sessions.id", ondelete="SET NULL", use_alter=True), index=True
    )
    brainstorm_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_notes.id", ondelete="SET NULL", use_alter=True), unique=True
    )
    brainstorm_cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("brainstorm_clusters.id", ondelete="SET NULL", use_alter=True), unique=True
    )

    space: Mapped[Space] = relationship()
    author: Mapped[User | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    tags: Mapped[list[IdeaTag]] = relationship(
        cascade="all, delete-orphan", order_by="IdeaTag.tag", lazy="selectin"
    )
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id])
    product: Mapped[Product | None] = relationship()
    release: Mapped[Release | None] = relationship()

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def idea_status(self) -> IdeaStatus:
        return IdeaStatus(self.status)

    @property
    def is_closed(self) -> bool:
        return self.idea_status in CLOSED


class SpaceIdeaCount(db.Model):
    """How many of a space's ideas are in a status and shown (not hidden by moderation): the
    idea list counts from these instead of reading every idea (``queries.ideas_page``). Kept
    by ``operations.count_idea`` with ``ideas = ideas + 1`` in the changing transaction,
    repaired by ``flask ideas recount``."""

    __tablename__ = "space_idea_counts"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    ideas: Mapped[int] = mapped_column(default=0)


class IdeaTag(db.Model):
    """A tag on an idea."""

    __tablename__ = "idea_tags"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class IdeaVote(db.Model):
    """One user's support for one idea, with who they were when they voted.

    A vote counts against the space's vote budget while its idea is open (see ``CLOSED``).
    ``merged_from_id`` marks a vote moved here when another idea was merged into this one,
    so that unmerging can take back exactly those votes.
    """

    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        Index("ix_idea_votes_idea_created", "idea_id", "created_at"),
        # Insights' segment filter: "has this idea a vote from this segment?" in one lookup,
        # and how many it got in a date range (the top ideas by votes of a segment).
        Index("ix_idea_votes_idea_segment", "idea_id", "segment", "created_at"),
        # Insights' demand: the votes cast in a date range, per idea, from the index alone.
        Index("ix_idea_votes_created", "created_at", "idea_id"),
        # Insights' demand by segment and organisation: votes per voter, read in this order
        # (no sorting), with the date checked in the index; with a segment chosen, also the
        # ideas voted for.
        Index(
            "ix_idea_votes_voters", "segment", "organisation", "user_id", "created_at", "idea_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(120), default="")
    segment: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )


class TimelineKind(enum.StrEnum):
    """What a step on an idea's timeline records."""

    STATUS = "status"  # a status change (a merge or an unmerge included)
    PRODUCT = "product"  # the idea's product was set or cleared
    RELEASE = "release"  # the idea was linked to a release, or unlinked


class IdeaStatusChange(db.Model):
    """A step on an idea's public timeline: a status change and the response given with it.

    A merge (to "merged") and an unmerge (from "merged") name the other idea in
    ``related_idea_id``; an unmerge returns to the ``from_status`` of the merge before it.
    Steps of another ``kind`` record a product or release link (``product_id``,
    ``release_id``; None when it was cleared) and leave the status as it was
    (``from_status`` == ``to_status``).
    """

    __tablename__ = "idea_status_changes"
    __table_args__ = (
        # Each idea's steps in order (the time in each status is counted from them, see
        # community/ideas/time_in_status.py) and, for Insights' funnel, the ideas that ever
        # reached a status, read from the indexes alone.
        Index(
            "ix_idea_status_changes_idea_created",
            "idea_id",
            "created_at",
            "kind",
            "from_status",
            "to_status",
        ),
        Index("ix_idea_status_changes_reached", "to_status", "kind", "idea_id"),
        # The funnel's time in each status: a status's spans counted, and read in order up to
        # the middle one, with the ideas' date range checked in the index.
        Index(
            "ix_idea_status_changes_time_in_status",
            "kind",
            "from_status",
            "seconds_in_status",
            "proposed_at",
            "idea_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    response_source: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    related_idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(
        String(16), default=TimelineKind.STATUS.value, server_default=TimelineKind.STATUS.value
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Status steps: seconds from entering ``from_status`` to this step, and a copy of the
    # idea's ``created_at``, counted from the timestamps by community/ideas/time_in_status.py
    # (None on other kinds of step).
    seconds_in_status: Mapped[float | None] = mapped_column(Float)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    by: Mapped[User | None] = relationship()
    related_idea: Mapped[Idea | None] = relationship(foreign_keys=[related_idea_id])
    product: Mapped[Product | None] = relationship()
    release: Mapped[Release | None] = relationship()
