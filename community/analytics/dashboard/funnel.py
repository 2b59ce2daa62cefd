"""The idea funnel of the Insights dashboard: the ideas proposed in scope by status, how many
reached planned and shipped, by product and by space, and the median time ideas spent in
each status."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_, select

from community.analytics.dashboard.scope import TOP, Scope, idea_filters, ideas_in_scope
from community.analytics.sql import median_in_order, medians, read_in_index_order
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, TimelineKind
from community.products.models import Product
from community.spaces.models import Space

#: Statuses an idea passes on its way to shipping, in order.
PIPELINE = (
    IdeaStatus.NEW.value,
    IdeaStatus.UNDER_REVIEW.value,
    IdeaStatus.PLANNED.value,
    IdeaStatus.IN_PROGRESS.value,
    IdeaStatus.SHIPPED.value,
)
REACHED_PLANNED = (IdeaStatus.PLANNED.value, IdeaStatus.IN_PROGRESS.value, IdeaStatus.SHIPPED.value)


@dataclass
class Funnel:
    by_status: dict[str, int]
    total: int
    reached_planned: int
    shipped: int
    #: Median days an idea spent in each status before it moved on.
    median_days: dict[str, float]
    #: Name None: the ideas with no product.
    by_product: list[tuple[str | None, int, int, int]] = field(default_factory=list)
    by_space: list[tuple[str, int, int, int]] = field(default_factory=list)

    def share(self, part: int) -> float:
        return part / self.total if self.total else 0.0


def _breakdown(model, tallies: dict[int | None, list[int]]) -> list[tuple]:
    """The ``TOP`` largest groups of ``tallies`` (id -> [ideas, planned, shipped]), named;
    the group of id None (ideas with no product) keeps the name None."""
    names: dict[int | None, str | None] = {None: None}
    ids = [key for key in tallies if key is not None]
    if ids:
        names.update(
            db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()
        )
    rows = sorted(((names[key], *tally) for key, tally in tallies.items()), key=_largest_first)
    return [(name, int(n), int(p), int(sh)) for name, n, p, sh in rows[:TOP]]


def _largest_first(row: tuple) -> tuple:
    return (-row[1], row[0] is None, row[0] or "")


def _median_seconds_in_range(scope: Scope) -> dict[str, float | None]:
    """The median time in each status, for ideas proposed in the range (every space, no
    product or segment): the steps per status, then the middle ones, each read from
    ``ix_idea_status_changes_time_in_status`` alone (the range checked on the step's copy of
    the idea's ``created_at``, the values in order: nothing is sorted)."""
    proposed = IdeaStatusChange.proposed_at
    steps = (
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        read_in_index_order(and_(proposed >= scope.since, proposed < scope.until)),
    )
    spent = IdeaStatusChange.seconds_in_status
    steps_per_status = db.session.execute(
        select(IdeaStatusChange.from_status, func.count())
        .where(*steps)
        .group_by(IdeaStatusChange.from_status)
    ).all()
    return {
        status: median_in_order(
            select(spent).where(*steps, IdeaStatusChange.from_status == status), spent, count
        )
        for status, count in steps_per_status
    }


def _median_seconds_of_ideas(in_scope: ColumnElement[bool]) -> dict[str, float | None]:
    """The median time in each status, for the ideas ``in_scope`` when a space, product or
    segment limits them: each idea is checked once (the segment's votes looked up), then
    its steps' stored times are sorted per status."""
    spans = (
        select(
            IdeaStatusChange.from_status.label("status"),
            IdeaStatusChange.seconds_in_status.label("seconds"),
        )
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where(IdeaStatusChange.kind == TimelineKind.STATUS.value, in_scope)
    )
    return medians(spans, value="seconds", group="status")


def funnel(user, scope: Scope) -> Funnel:
    in_scope = ideas_in_scope(user, scope)
    reached = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status.in_(REACHED_PLANNED),
    )
    shipped = select(IdeaStatusChange.idea_id).where(
        IdeaStatusChange.kind == TimelineKind.STATUS.value,
        IdeaStatusChange.to_status == IdeaStatus.SHIPPED.value,
    )
    planned_flag = or_(Idea.status.in_(REACHED_PLANNED), Idea.id.in_(reached))
    shipped_flag = or_(Idea.status == IdeaStatus.SHIPPED.value, Idea.id.in_(shipped))
    # One pass over the ideas in scope (``ix_ideas_created`` holds every column read) gives
    # the counts per status, the totals and the breakdowns by space and by product.
    by_status: dict[str, int] = {}
    totals = [0, 0, 0]
    spaces: dict[int, list[int]] = {}
    products: dict[int | None, list[int]] = {}
    for status, space_id, product_id, *tally in db.session.execute(
        select(
            Idea.status,
            Idea.space_id,
            Idea.product_id,
            func.count(),
            func.count().filter(planned_flag),
            func.count().filter(shipped_flag),
        )
        .where(in_scope)
        .group_by(Idea.status, Idea.space_id, Idea.product_id)
    ):
        by_status[status] = by_status.get(status, 0) + tally[0]
        groups = [
            totals,
            spaces.setdefault(space_id, [0, 0, 0]),
            products.setdefault(product_id, [0, 0, 0]),
        ]
        for group in groups:
            for position, count in enumerate(tally):
                group[position] += count
    # Time in each status, stored on every status step (community/ideas/time_in_status.py).
    if idea_filters(user, scope):
        median_seconds = _median_seconds_of_ideas(in_scope)
    else:
        median_seconds = _median_seconds_in_range(scope)
    return Funnel(
        by_status={s: int(by_status.get(s, 0)) for s in [*PIPELINE, "declined", "merged"]},
        total=int(totals[0]),
        reached_planned=int(totals[1]),
        shipped=int(totals[2]),
        median_days={
            status: round(seconds / 86400, 1)
            for status, seconds in median_seconds.items()
            if seconds is not None
        },
        by_product=_breakdown(Product, products),
        by_space=_breakdown(Space, spaces),
    )
