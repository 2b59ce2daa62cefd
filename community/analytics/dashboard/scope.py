"""What every view of the Insights dashboard counts over: a :class:`Scope` (date range, space,
product, segment) and the conditions it makes, as seen by one viewer.

Only spaces the viewer may read are counted; for someone who reads every space, with no space
chosen, that is no condition at all, so aggregates read their indexes without looking each
row's space up. Ideas are in scope when proposed in the date range (and, with a segment, when
a customer of that segment voted for them); votes, posts and questions when made in the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, select, true

from community.accounts.models import User
from community.ideas.models import Idea, IdeaVote
from community.products.models import product_spaces
from community.spaces.models import Space
from community.spaces.queries import readable_space_ids, reads_every_space

#: How many rows a dashboard list shows.
TOP = 10


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters: whole UTC days from ``start`` to ``end``, and optionally a
    space, a product and a customer segment."""

    start: date
    end: date  # inclusive
    space_id: int | None = None
    product_id: int | None = None
    segment: str = ""

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def readable_in_scope(user, scope: Scope) -> Select:
    """The ids of the spaces ``user`` may read, narrowed to the space chosen."""
    spaces = readable_space_ids(user)
    if scope.space_id is not None:
        spaces = spaces.where(Space.id == scope.space_id)
    return spaces


def every_space(user, scope: Scope) -> bool:
    """Whether the scope is every space: no space chosen, and ``user`` reads them all."""
    return scope.space_id is None and reads_every_space(user)


def in_spaces(column, user, scope: Scope) -> ColumnElement[bool]:
    """``column`` (a space id) is one of the readable spaces in scope. For someone who reads
    every space, with no space chosen, that is no condition at all: the aggregates then read
    their indexes without looking each row's space up."""
    if every_space(user, scope):
        return true()
    return column.in_(readable_in_scope(user, scope))


def in_community(column, user, scope: Scope) -> ColumnElement[bool]:
    """``column`` (a space id) is one of the readable spaces in scope and, with a product
    chosen, one of the spaces that own it. Questions, deflections and contributions belong to
    a space, not to a product: a product's are those of the spaces that own it."""
    condition = in_spaces(column, user, scope)
    if scope.product_id is None:
        return condition
    owners = select(product_spaces.c.space_id).where(
        product_spaces.c.product_id == scope.product_id
    )
    return and_(condition, column.in_(owners))


def people_of(segment: str) -> Select:
    """The ids of the people in a customer segment (as they stand now: posts, questions,
    deflections and feedback carry no segment of their own)."""
    return select(User.id).where(User.segment == segment)


def idea_space_and_product(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on ``Idea`` for the ideas in the readable spaces in scope, of the product
    chosen, whenever proposed (the ideas whose votes count); none at all for every idea."""
    ideas = [] if every_space(user, scope) else [Idea.space_id.in_(readable_in_scope(user, scope))]
    if scope.product_id is not None:
        ideas.append(Idea.product_id == scope.product_id)
    return ideas


def idea_filters(user, scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions on ``Idea`` other than the date range: readable spaces (none for
    someone who reads every space, with no space chosen), the product and the segment."""
    conditions = idea_space_and_product(user, scope)
    if scope.segment:
        conditions.append(
            exists().where(IdeaVote.idea_id == Idea.id, IdeaVote.segment == scope.segment)
        )
    return conditions


def ideas_in_scope(user, scope: Scope) -> ColumnElement[bool]:
    """The condition on ``Idea`` for ideas proposed in the range, in readable spaces, with
    the filters (a condition rather than a subquery of ids: each idea is read once)."""
    return and_(
        Idea.created_at >= scope.since, Idea.created_at < scope.until, *idea_filters(user, scope)
    )
