"""The idea explorer: every idea a person may see, narrowed by full text and by any mix of
status, space, product, tag, customer segment, vote range and dates, in a sortable order.

The pages (``/analytics/ideas``), its CSV and JSON exports and the API's idea list all read
through :func:`explore`, so they agree on what a filter means and on who sees what. Full text
comes from the search index (the newest ``TEXT_MATCHES_MAX`` matching ideas the person may
read); everything else is one SQL statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from community.accounts.models import SEGMENTS, User
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaTag, IdeaVote
from community.ideas.queries import CLOSED_VALUES, list_columns, order_by_trending, shown_ideas
from community.products.models import Product, Release
from community.search.service import access_for, search_service
from community.spaces.models import Space
from community.spaces.queries import readable_space_ids

TEXT_MATCHES_MAX = 2_000
PER_PAGE = 50
EXPORT_MAX = 10_000
#: Sort keys, each with the column (or expression) it orders by.
SORTS = ("votes", "trending", "newest", "oldest", "updated", "title", "status")
STATUS_CHOICES = ("", "open", *[s.value for s in IdeaStatus])


@dataclass(frozen=True)
class IdeaFilters:
    """What the explorer is asked for; every field is optional and all of them combine."""

    q: str = ""
    status: str = ""  # one status, "open" (not closed), or "" (all but merged)
    space_id: int | None = None
    product_id: int | None = None
    tag: str = ""
    segment: str = ""  # ideas with at least one vote from this customer segment
    votes_min: int | None = None
    votes_max: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "votes"
    descending: bool = True


@dataclass
class Explored:
    """A page of ideas with the numbers the explorer shows beside them."""

    items: list[Idea]
    total: int
    page: int
    per_page: int
    segment_votes: dict[int, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _matching(user, filters: IdeaFilters, stmt: Select) -> Select:
    if filters.q.strip():
        found = search_service().backend.matching_ids(
            filters.q, access_for(user), "idea", TEXT_MATCHES_MAX
        )
        ids = [int(doc_id.partition(":")[2]) for doc_id in found]
        stmt = stmt.where(Idea.id.in_(ids))
    if filters.status == "open":
        stmt = stmt.where(Idea.status.not_in(CLOSED_VALUES))
    elif filters.status in {s.value for s in IdeaStatus}:
        stmt = stmt.where(Idea.status == filters.status)
    else:
        stmt = stmt.where(Idea.status != IdeaStatus.MERGED.value)
    if filters.space_id is not None:
        stmt = stmt.where(Idea.space_id == filters.space_id)
    if filters.product_id is not None:
        stmt = stmt.where(Idea.product_id == filters.product_id)
    if filters.tag:
        stmt = stmt.where(Idea.id.in_(select(IdeaTag.idea_id).where(IdeaTag.tag == filters.tag)))
    if filters.segment in SEGMENTS:
        stmt = stmt.where(
            Idea.id.in_(select(IdeaVote.idea_id).where(IdeaVote.segment == filters.segment))
        )
    if filters.votes_min is not None:
        stmt = stmt.where(Idea.vote_count >= filters.votes_min)
    if filters.votes_max is not None:
        stmt = stmt.where(Idea.vote_count <= filters.votes_max)
    if filters.created_from is not None:
        stmt = stmt.where(Idea.created_at >= _start(filters.created_from))
    if filters.created_to is not None:
        stmt = stmt.where(Idea.created_at < _start(filters.created_to + timedelta(days=1)))
    return stmt


def _ordered(stmt: Select, filters: IdeaFilters) -> Select:
    if filters.sort == "trending":
        return order_by_trending(stmt).order_by(Idea.id.desc())
    column = {
        "votes": Idea.vote_count,
        "newest": Idea.created_at,
        "oldest": Idea.created_at,
        "updated": Idea.updated_at,
        "title": Idea.title,
        "status": Idea.status,
    }.get(filters.sort, Idea.vote_count)
    descending = filters.descending
    if filters.sort == "oldest":
        descending = not descending
    if descending:
        return stmt.order_by(column.desc(), Idea.id.desc())
    return stmt.order_by(column.asc(), Idea.id.asc())


def visible_ideas(user) -> Select:
    """Ideas in the spaces ``user`` may read, but none hidden by moderation or held for
    approval (except the user's own), as in the ideas lists."""
    return select(Idea).where(Idea.space_id.in_(readable_space_ids(user)), shown_ideas(user))


def explore(user, filters: IdeaFilters, *, page: int = 1, per_page: int = PER_PAGE) -> Explored:
    """One page of the ideas ``user`` may see that match ``filters``, in their order, with
    authors, spaces, products, releases and tags loaded. Five queries, whatever the page."""
    matching = _matching(user, filters, visible_ideas(user))
    total = db.session.scalar(select(func.count()).select_from(matching.subquery()))
    stmt = _ordered(matching, filters).options(*_row_loads())
    items = list(db.session.scalars(stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return Explored(
        items=items,
        total=total,
        page=max(page, 1),
        per_page=per_page,
        segment_votes=segment_votes(items, filters.segment),
    )


def export_rows(user, filters: IdeaFilters, limit: int = EXPORT_MAX) -> list[Idea]:
    """Every matching idea (at most ``limit``), in order, for CSV and JSON exports."""
    stmt = _ordered(_matching(user, filters, visible_ideas(user)), filters)
    return list(db.session.scalars(stmt.options(*_row_loads()).limit(limit)))


def _row_loads():
    return (
        list_columns(),
        selectinload(Idea.author).load_only(User.username, User.display_name),
        selectinload(Idea.space).load_only(Space.name, Space.slug).lazyload(Space.tags),
        selectinload(Idea.product).load_only(Product.name, Product.slug),
        selectinload(Idea.release).load_only(Release.version),
    )


def segment_votes(ideas: list[Idea], segment: str) -> dict[int, int]:
    """Votes from customers of ``segment`` per idea (one query; none without a segment)."""
    if segment not in SEGMENTS or not ideas:
        return {}
    return dict(
        db.session.execute(
            select(IdeaVote.idea_id, func.count())
            .where(IdeaVote.idea_id.in_([i.id for i in ideas]), IdeaVote.segment == segment)
            .group_by(IdeaVote.idea_id)
        ).all()
    )
