"""Knowledge base articles, their revisions (accepted, or suggested and waiting), readers'
"did this help?" answers, and deflections (questions answered before they were asked)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.database import UTCDateTime, utcnow
from community.extensions import db
from community.spaces.models import Space

TITLE_MAX = 200
BODY_MAX = 50_000
SUMMARY_MAX = 200


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


STATUS_LABELS = {ArticleStatus.DRAFT: _l("Draft"), ArticleStatus.PUBLISHED: _l("Published")}


class RevisionState(enum.StrEnum):
    ACCEPTED = "accepted"  # part of the article's history (the newest one is current)
    PENDING = "pending"  # a member's suggested edit, waiting for an editor
    DECLINED = "declined"


class DeflectionKind(enum.StrEnum):
    ANSWERED = "answered"  # "This answered my question": the question was not posted
    ASKED = "asked"  # posted even though suggestions were shown


class Article(db.Model):
    """A knowledge base article in a space (or site-wide: no space). Its title, body and tags
    are those of its newest accepted revision; ``body_html`` is rendered and sanitised once."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_space_status_updated", "space_id", "status", "updated_at"),
        Index("ix_articles_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT.value)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Where it came from: a question's accepted answer, or a shipped idea and its release.
    source_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    source_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    source_idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    source_release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    space: Mapped[Space | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    tags: Mapped[list[ArticleTag]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTag.tag", lazy="selectin"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.status}>"


class ArticleTag(db.Model):
    """A tag on an article."""

    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class ArticleRevision(db.Model):
    """One save of an article (title, body, tags) with its author, time and edit summary; or a
    member's suggested edit (pending until an editor accepts or declines it)."""

    __tablename__ = "article_revisions"
    __table_args__ = (Index("ix_article_revisions_article_state", "article_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default=RevisionState.ACCEPTED.value)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_source: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def tag_names(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class ArticleFeedback(db.Model):
    """One reader's answer to "Did this help?" (changing one's mind updates the row)."""

    __tablename__ = "article_feedback"
    __table_args__ = (UniqueConstraint("article_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Deflection(db.Model):
    """A question met by the knowledge base while it was typed: answered by a suggestion (not
    posted), or asked anyway after suggestions were shown. Analytics count these per space."""

    __tablename__ = "deflections"
    __table_args__ = (Index("ix_deflections_space_created", "space_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    # answered: the article or thread that answered; asked: the thread that was posted.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    # asked: the suggestions that had been shown ("article:3,thread:9").
    shown: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
