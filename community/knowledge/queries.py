"""Reads of the knowledge base shared by its pages, the loop's panels and analytics.

Lists show only what the reader may read (published articles in readable spaces and
site-wide, plus drafts to their creators and their spaces' writers), and every page runs a
fixed number of queries whatever the number of articles, revisions or answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.experts.queries import verified_tags
from community.extensions import db
from community.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTag,
    Deflection,
    RevisionState,
)
from community.permissions import Role, has_role
from community.spaces.models import Membership, MembershipState, SpaceRole
from community.spaces.queries import readable_space_ids

PER_PAGE = 20
HISTORY_PER_PAGE = 30


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _writer_condition(user) -> ColumnElement[bool]:
    """Articles whose space the user writes in (see ``permissions.writes_in``), as SQL."""
    if not has_role(user, Role.MEMBER):
        return false()
    if has_role(user, Role.EXPERT):
        return true()  # every readable space, and site-wide; readability is checked apart
    roles = [r.value for r in SpaceRole if r.at_least(SpaceRole.EXPERT)]
    if verified_tags(user):
        roles = [r.value for r in SpaceRole]
    member_of = select(Membership.space_id).where(
        Membership.user_id == user.id,
        Membership.state == MembershipState.ACTIVE.value,
        Membership.role.in_(roles),
    )
    return Article.space_id.in_(member_of)


def visible_condition(user) -> ColumnElement[bool]:
    """The articles ``user`` may read, as a condition on ``Article``."""
    readable = or_(Article.space_id.is_(None), Article.space_id.in_(readable_space_ids(user)))
    if has_role(user, Role.ADMIN):
        return true()
    drafts = false()
    if has_role(user, Role.MEMBER):
        drafts = or_(Article.created_by_id == user.id, _writer_condition(user))
    return and_(readable, or_(Article.status == ArticleStatus.PUBLISHED.value, drafts))


def articles_page(
    user,
    *,
    q: str = "",
    tag: str = "",
    product_id: int | None = None,
    space_id: int | None = None,
    site_wide: bool = False,
    status: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
):
    """One page of the articles ``user`` may read, newest first, filtered."""
    stmt = (
        select(Article)
        .options(selectinload(Article.space), selectinload(Article.created_by))
        .where(visible_condition(user))
    )
    if q:
        like = _like(q)
        stmt = stmt.where(
            or_(
                Article.title.ilike(like, escape="\\"), Article.body_source.ilike(like, escape="\\")
            )
        )
    if tag:
        stmt = stmt.where(
            Article.id.in_(select(ArticleTag.article_id).where(ArticleTag.tag == tag.lower()))
        )
    if product_id:
        stmt = stmt.where(Article.product_id == product_id)
    if site_wide:
        stmt = stmt.where(Article.space_id.is_(None))
    elif space_id:
        stmt = stmt.where(Article.space_id == space_id)
    if status in (ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value):
        stmt = stmt.where(Article.status == status)
    stmt = stmt.order_by(Article.updated_at.desc(), Article.id.desc())
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)


def popular_tags(user, limit: int = 20) -> list[str]:
    """The tags most used on articles ``user`` may read."""
    rows = db.session.execute(
        select(ArticleTag.tag, func.count())
        .join(Article, Article.id == ArticleTag.article_id)
        .where(visible_condition(user))
        .group_by(ArticleTag.tag)
        .order_by(func.count().desc(), ArticleTag.tag)
        .limit(limit)
    )
    return [tag for tag, _count in rows]


@dataclass
class Feedback:
    """ "Did this help?" for one article: the counts, and the reader's own answer."""

    helpful: int
    total: int
    mine: bool | None


def feedback_for(article: Article, user) -> Feedback:
    """Counts by aggregate and the reader's answer, in one query."""
    uid = user.id if getattr(user, "is_authenticated", False) else -1
    helpful, total, mine = db.session.execute(
        select(
            func.coalesce(func.sum(case((ArticleFeedback.helpful.is_(True), 1), else_=0)), 0),
            func.count(ArticleFeedback.id),
            func.max(
                case((ArticleFeedback.user_id == uid, case((ArticleFeedback.helpful, 2), else_=1)))
            ),
        ).where(ArticleFeedback.article_id == article.id)
    ).one()
    return Feedback(int(helpful), int(total), None if mine is None else mine == 2)


def contributors(article: Article) -> list[User]:
    """Everyone with an accepted revision, first contribution first (one query)."""
    first = (
        select(ArticleRevision.author_id, func.min(ArticleRevision.id).label("first"))
        .where(
            ArticleRevision.article_id == article.id,
            ArticleRevision.state == RevisionState.ACCEPTED.value,
            ArticleRevision.author_id.is_not(None),
        )
        .group_by(ArticleRevision.author_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(User).join(first, first.c.author_id == User.id).order_by(first.c.first)
        )
    )


def history(article: Article, page: int = 1):
    """Accepted revisions, newest first, with their authors."""
    stmt = (
        select(ArticleRevision)
        .options(selectinload(ArticleRevision.author))
        .where(
            ArticleRevision.article_id == article.id,
            ArticleRevision.state == RevisionState.ACCEPTED.value,
        )
        .order_by(ArticleRevision.created_at.desc(), ArticleRevision.id.desc())
    )
    return db.paginate(stmt, page=max(page, 1), per_page=HISTORY_PER_PAGE, error_out=False)


def pending_suggestions(article: Article) -> list[ArticleRevision]:
    """Suggested edits waiting for an editor, oldest first."""
    return list(
        db.session.scalars(
            select(ArticleRevision)
            .options(selectinload(ArticleRevision.author))
            .where(
                ArticleRevision.article_id == article.id,
                ArticleRevision.state == RevisionState.PENDING.value,
            )
            .order_by(ArticleRevision.id)
            .limit(50)
        )
    )


def revision_before(revision: ArticleRevision) -> ArticleRevision | None:
    """The accepted revision that ``revision`` changed (for a pending one: the current one)."""
    stmt = select(ArticleRevision).where(
        ArticleRevision.article_id == revision.article_id,
        ArticleRevision.state == RevisionState.ACCEPTED.value,
        ArticleRevision.id != revision.id,
    )
    if revision.state == RevisionState.ACCEPTED:
        stmt = stmt.where(
            or_(
                ArticleRevision.created_at < revision.created_at,
                and_(
                    ArticleRevision.created_at == revision.created_at,
                    ArticleRevision.id < revision.id,
                ),
            )
        )
    return db.session.scalar(
        stmt.order_by(ArticleRevision.created_at.desc(), ArticleRevision.id.desc()).limit(1)
    )


def article_from_thread(thread_id: int) -> Article | None:
    """The article a thread's accepted answer became, if any."""
    return db.session.scalar(
        select(Article).where(Article.source_thread_id == thread_id).order_by(Article.id).limit(1)
    )


def article_from_idea(idea_id: int) -> Article | None:
    """The article a shipped idea became, if any."""
    return db.session.scalar(
        select(Article).where(Article.source_idea_id == idea_id).order_by(Article.id).limit(1)
    )


def deflection_counts(
    start: datetime, end: datetime, space_ids: list[int] | None = None
) -> dict[int, dict[str, int]]:
    """``{space_id: {"answered": n, "asked": m}}`` for deflections in ``[start, end)``, for
    analytics; one query."""
    stmt = (
        select(Deflection.space_id, Deflection.kind, func.count())
        .where(Deflection.created_at >= start, Deflection.created_at < end)
        .group_by(Deflection.space_id, Deflection.kind)
    )
    if space_ids is not None:
        stmt = stmt.where(Deflection.space_id.in_(space_ids))
    counts: dict[int, dict[str, int]] = {}
    for space_id, kind, n in db.session.execute(stmt):
        counts.setdefault(space_id, {"answered": 0, "asked": 0})[kind] = n
    return counts
