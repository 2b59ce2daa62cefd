"""Forum threads and posts, their tags, revisions and helpful marks."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import Hideable, SoftDeleted, UTCDateTime, utcnow
from community.extensions import db
from community.spaces.models import Space


class ThreadKind(enum.StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"
    CODESIGN = "codesign"  # attached to an idea (ideas arrive in a later feature)


KIND_LABELS = {
    ThreadKind.DISCUSSION: _l("Discussion"),
    ThreadKind.QUESTION: _l("Question"),
    ThreadKind.CODESIGN: _l("Co-design"),
}

TITLE_MAX = 200
BODY_MAX = 50_000


class Thread(SoftDeleted, Hideable, db.Model):
    """A discussion, question or co-design thread in a space; its first post is its body.
    Readers see a placeholder for a hidden one."""

    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_space_activity", "space_id", "last_activity_at"),
        Index("ix_threads_space_created", "space_id", "created_at"),
        # A space's thread list (``queries.threads_page``), pinned first, read in the order of
        # one of these and stopped after its page, whatever the number of threads. The first
        # also holds what the list filters on (kind, status, who sees hidden threads), so the
        # list's count reads it alone.
        Index(
            "ix_threads_space_list",
            "space_id",
            "pinned",
            "last_activity_at",
            "id",
            "kind",
            "deleted_at",
            "hidden_at",
            "author_id",
            "accepted_post_id",
            "answer_count",
        ),
        Index("ix_threads_space_list_newest", "space_id", "pinned", "created_at", "id"),
        Index(
            "ix_threads_space_list_helpful",
            "space_id",
            "pinned",
            "helpful_count",
            "last_activity_at",
            "id",
        ),
        # The hidden threads of a space a list adds to its kept count (``queries.threads_page``):
        # only hidden threads have an entry, however many threads are shown.
        Index(
            "ix_threads_space_hidden",
            "space_id",
            "kind",
            "author_id",
            "deleted_at",
            "hidden_at",
            sqlite_where=text("hidden_at IS NOT NULL"),
            postgresql_where=text("hidden_at IS NOT NULL"),
        ),
        # Insights' knowledge loop across all spaces: questions asked in a date range.
        Index("ix_threads_kind_created", "kind", "created_at", "space_id", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=ThreadKind.DISCUSSION.value, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    # Held for a moderator's approval (always hidden too): never published yet, so only its
    # author and the space's moderators know it exists.
    held: Mapped[bool] = mapped_column(default=False)
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    idea_id: Mapped[int | None] = mapped_column(index=True)
    #: Live replies, the asker's own included ("N replies" of a discussion).
    reply_count: Mapped[int] = mapped_column(default=0)
    #: Live replies by anyone but the asker: a question's answers. Only these answer a
    #: question ("N answers", the Unanswered filter, the knowledge loop, routing).
    answer_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    space: Mapped[Space] = relationship()
    author: Mapped[User | None] = relationship()
    tags: Mapped[list[ThreadTag]] = relationship(
        cascade="all, delete-orphan", order_by="ThreadTag.tag", lazy="selectin"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_live(self) -> bool:
        """Published and shown: what the space's thread count counts."""
        return self.deleted_at is None and self.hidden_at is None


class ThreadTag(db.Model):
    """A tag on a thread."""

    __tablename__ = "thread_tags"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class Post(SoftDeleted, Hideable, db.Model):
    """A post: the thread's opening post or a reply. ``body_html`` is rendered and sanitised
    once, when the post is saved. It is hidden pending review, or while held for approval."""

    __tablename__ = "posts"
    __table_args__ = (
        # A thread's posts in order; the knowledge loop's first answer (a live reply by
        # someone else) is read from it alone.
        Index(
            "ix_posts_thread_created",
            "thread_id",
            "created_at",
            "id",
            "is_opening",
            "deleted_at",
            "author_id",
            "hidden_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_opening: Mapped[bool] = mapped_column(default=False)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Held for a moderator's approval (always hidden too): not published yet.
    held: Mapped[bool] = mapped_column(default=False)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_live(self) -> bool:
        """Published and shown: what its thread's reply count counts (if it is a reply)."""
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """What a post said before an edit (and the thread title, for opening posts)."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    body_source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User | None] = relationship()


class HelpfulMark(db.Model):
    """One member's "this helped" on a post: at most one per user and post."""

    __tablename__ = "helpful_marks"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
