"""Reads of products: the index, the roadmap, the changelog and an idea's product panel.

Ideas are shown and counted only from spaces the reader may read (``readable_space_ids``),
and every page runs a fixed number of queries whatever the number of ideas or releases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.database import utcnow
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaTag, IdeaVote
from community.ideas.queries import list_columns
from community.products.models import Product, Release, product_spaces
from community.spaces.models import Space
from community.spaces.queries import readable_space_ids

#: Roadmap columns, left to right; shipped ideas stay in theirs this long after shipping.
COLUMNS = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)
RECENTLY_SHIPPED = timedelta(days=90)
COLUMN_MAX = 50
RELEASES_PER_PAGE = 5
#: Supporters named per idea on the changelog; the rest are counted.
CREDITED_SUPPORTERS = 8


def product_by_slug(slug: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.slug == slug))


def all_products() -> list[Product]:
    """Every product by name, with its owning spaces (two queries)."""
    return list(db.session.scalars(select(Product).order_by(Product.name)))


def products_of_space(space_id: int) -> list[Product]:
    """The products a space owns, by name."""
    return list(
        db.session.scalars(
            select(Product)
            .join(product_spaces, product_spaces.c.product_id == Product.id)
            .where(product_spaces.c.space_id == space_id)
            .order_by(Product.name)
        )
    )


def releases_of(product: Product) -> list[Release]:
    """A product's releases, newest first."""
    return list(
        db.session.scalars(
            select(Release)
            .where(Release.product_id == product.id)
            .order_by(Release.released_on.desc(), Release.id.desc())
        )
    )


def _visible_ideas(user, product: Product) -> Select:
    # Ideas hidden pending review (community/moderation) stay off roadmaps.
    return select(Idea).where(
        Idea.product_id == product.id,
        Idea.space_id.in_(readable_space_ids(user)),
        Idea.hidden_at.is_(None),
    )


@dataclass
class Roadmap:
    """The columns of a product's roadmap and how far it has come."""

    columns: dict[str, list[Idea]]
    totals: dict[str, int]
    shipped: int
    considered: int
    segment_votes: dict[int, int] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        """The share of the product's ideas shipped, in percent (declined and merged ones
        are not counted)."""
        return round(100 * self.shipped / self.considered) if self.considered else 0


def roadmap(user, product: Product, *, tag: str = "", segment: str = "") -> Roadmap:
    """The ideas ``user`` may see for ``product``: planned, in progress and shipped within
    ``RECENTLY_SHIPPED``, most votes first, at most ``COLUMN_MAX`` per column. With ``tag``,
    only ideas with that tag; with ``segment``, only ideas with a vote from a customer of
    that segment, and how many. Six queries, whatever the number of ideas."""
    base = _roadmap_ideas(user, product, tag=tag, segment=segment)
    by_status = _count_by_status(base)
    since = utcnow() - RECENTLY_SHIPPED
    recent_shipped = _count_shipped_since(base, since)
    ideas = _top_of_columns(base, since)
    columns: dict[str, list[Idea]] = {status.value: [] for status in COLUMNS}
    for idea in ideas:
        columns[idea.status].append(idea)
    return Roadmap(
        columns=columns,
        totals={
            IdeaStatus.PLANNED.value: by_status.get(IdeaStatus.PLANNED.value, 0),
            IdeaStatus.IN_PROGRESS.value: by_status.get(IdeaStatus.IN_PROGRESS.value, 0),
            IdeaStatus.SHIPPED.value: recent_shipped or 0,
        },
        shipped=by_status.get(IdeaStatus.SHIPPED.value, 0),
        considered=sum(
            n
            for status, n in by_status.items()
            if status not in (IdeaStatus.DECLINED.value, IdeaStatus.MERGED.value)
        ),
        segment_votes=_segment_votes(ideas, segment),
    )


def _roadmap_ideas(user, product: Product, *, tag: str, segment: str) -> Select:
    """The product's ideas ``user`` may see, with ``tag`` and with a vote from ``segment``
    when given."""
    base = _visible_ideas(user, product)
    if tag:
        base = base.where(Idea.id.in_(select(IdeaTag.idea_id).where(IdeaTag.tag == tag)))
    if segment:
        segment_count = (
            select(func.count(IdeaVote.id))
            .where(IdeaVote.idea_id == Idea.id, IdeaVote.segment == segment)
            .scalar_subquery()
        )
        base = base.where(segment_count > 0)
    return base


def _count_by_status(base: Select) -> dict[str, int]:
    """How many of the ideas are in each status; one query."""
    return dict(
        db.session.execute(
            select(Idea.status, func.count(Idea.id))
            .where(Idea.id.in_(base.with_only_columns(Idea.id)))
            .group_by(Idea.status)
        ).all()
    )


def _shipped_since(since: datetime):
    return (Idea.status == IdeaStatus.SHIPPED.value) & (Idea.status_changed_at >= since)


def _count_shipped_since(base: Select, since: datetime) -> int | None:
    """How many of the ideas shipped since ``since``; one query."""
    return db.session.scalar(
        select(func.count()).select_from(base.where(_shipped_since(since)).subquery())
    )


def _top_of_columns(base: Select, since: datetime) -> list[Idea]:
    """The first ``COLUMN_MAX`` ideas by votes of each column (planned, in progress, shipped
    since ``since``), most votes first, with their spaces and releases: one query for all
    columns (a window function), then one each for the spaces and the releases."""
    in_column = base.where(
        Idea.status.in_([IdeaStatus.PLANNED.value, IdeaStatus.IN_PROGRESS.value])
        | _shipped_since(since)
    )
    rank = (
        func.row_number()
        .over(partition_by=Idea.status, order_by=(Idea.vote_count.desc(), Idea.id.desc()))
        .label("rank")
    )
    ranked = in_column.with_only_columns(Idea.id, rank).subquery()
    return db.session.scalars(
        select(Idea)
        .join(ranked, ranked.c.id == Idea.id)
        .where(ranked.c.rank <= COLUMN_MAX)
        .options(
            list_columns(),
            selectinload(Idea.space).load_only(Space.name, Space.slug).lazyload(Space.tags),
            selectinload(Idea.release).load_only(Release.version),
        )
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
    ).all()


def _segment_votes(ideas: list[Idea], segment: str) -> dict[int, int]:
    """Votes from customers of ``segment`` per idea; one query (none without a segment)."""
    if not segment or not ideas:
        return {}
    return dict(
        db.session.execute(
            select(IdeaVote.idea_id, func.count(IdeaVote.id))
            .where(IdeaVote.idea_id.in_([i.id for i in ideas]), IdeaVote.segment == segment)
            .group_by(IdeaVote.idea_id)
        ).all()
    )


def roadmap_tags(user, product: Product, limit: int = 15) -> list[str]:
    """The most used tags among the product's visible ideas, for the filter."""
    return list(
        db.session.scalars(
            select(IdeaTag.tag)
            .where(IdeaTag.idea_id.in_(_visible_ideas(user, product).with_only_columns(Idea.id)))
            .group_by(IdeaTag.tag)
            .order_by(func.count().desc(), IdeaTag.tag)
            .limit(limit)
        )
    )


@dataclass
class Delivered:
    """An idea a release delivered, with the customers to credit."""

    idea: Idea
    supporters: list[User]

    @property
    def more_supporters(self) -> int:
        return max(self.idea.vote_count - len(self.supporters), 0)


def changelog(user, product: Product, page: int = 1) -> tuple[Pagination, dict[int, list]]:
    """One page of the product's releases, newest first, and for each release the shipped
    ideas it delivered that ``user`` may see, with their proposers and first supporters.
    Four queries, whatever the number of releases, ideas and votes."""
    releases = db.paginate(
        select(Release)
        .where(Release.product_id == product.id)
        .order_by(Release.released_on.desc(), Release.id.desc()),
        page=max(page, 1),
        per_page=RELEASES_PER_PAGE,
        error_out=False,
    )
    delivered: dict[int, list[Delivered]] = {release.id: [] for release in releases.items}
    if not delivered:
        return releases, delivered
    ideas = db.session.scalars(
        _visible_ideas(user, product)
        .where(Idea.release_id.in_(list(delivered)), Idea.status == IdeaStatus.SHIPPED.value)
        .options(
            list_columns(),
            selectinload(Idea.author),
        )
        .order_by(Idea.vote_count.desc(), Idea.id)
    ).all()
    supporters = _first_supporters([idea.id for idea in ideas])
    for idea in ideas:
        delivered[idea.release_id].append(Delivered(idea, supporters.get(idea.id, [])))
    return releases, delivered


def _first_supporters(idea_ids: list[int]) -> dict[int, list[User]]:
    """The first ``CREDITED_SUPPORTERS`` voters of each idea, earliest first; one query."""
    if not idea_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=IdeaVote.idea_id, order_by=(IdeaVote.created_at, IdeaVote.id))
        .label("rank")
    )
    ranked = (
        select(IdeaVote.idea_id, IdeaVote.user_id, rank)
        .where(IdeaVote.idea_id.in_(idea_ids))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.idea_id, User)
        .join(User, User.id == ranked.c.user_id)
        .where(ranked.c.rank <= CREDITED_SUPPORTERS)
        .order_by(ranked.c.idea_id, ranked.c.rank)
    ).all()
    found: dict[int, list[User]] = {}
    for idea_id, voter in rows:
        found.setdefault(idea_id, []).append(voter)
    return found


def release_choices(idea: Idea) -> list[Release]:
    """The releases the idea may be linked to: those of its product, newest first."""
    if idea.product_id is None:
        return []
    return list(
        db.session.scalars(
            select(Release)
            .where(Release.product_id == idea.product_id)
            .order_by(Release.released_on.desc(), Release.id.desc())
        )
    )
