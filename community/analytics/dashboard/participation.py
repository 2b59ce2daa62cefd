"""Participation on the Insights dashboard: people active each week, by space, and how many
were new or returning, all read from the participation rollup (``ActivityDay``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select, union_all

from community.accounts.models import User
from community.analytics.dashboard.scope import (
    TOP,
    Scope,
    every_space,
    in_community,
    people_of,
)
from community.analytics.models import ActivityDay, ActivityWeekPeople
from community.analytics.rollup import week_of_day
from community.extensions import db
from community.spaces.models import Space


@dataclass
class Participation:
    weekly_active: list[tuple[str, int]]
    by_space: list[tuple[str, int]]
    new: int
    returning: int


def _took_part(user, scope: Scope) -> list[ColumnElement[bool]]:
    """Rollup rows of the range, in readable spaces (with a product, those that own it), with
    the segment filter: votes carry the segment the voter had then, posts the poster's
    segment now."""
    conditions = [
        ActivityDay.day >= scope.start,
        ActivityDay.day <= scope.end,
        in_community(ActivityDay.space_id, user, scope),
    ]
    if scope.segment:
        # Posts are counted under the segment "" (see ActivityDay).
        conditions.append(
            or_(
                ActivityDay.segment == scope.segment,
                and_(
                    ActivityDay.segment == "",
                    ActivityDay.posts > 0,
                    ActivityDay.user_id.in_(people_of(scope.segment)),
                ),
            )
        )
    return conditions


def _weekly_active(user, scope: Scope, took_part) -> list[tuple[date, int]]:
    """Distinct people per week. Someone who reads every space, with no product or segment
    chosen, gets the weeks wholly inside the range from ``ActivityWeekPeople`` (kept counts),
    and only the weeks the range cuts from ``ActivityDay``."""
    first, last = week_of_day(scope.start), week_of_day(scope.end)
    from_days = [ActivityDay.week >= first, ActivityDay.week <= last, *took_part]
    statements = []
    whole_from = first if first == scope.start else first + timedelta(days=7)
    whole_to = last if last + timedelta(days=6) == scope.end else last - timedelta(days=7)
    everyone = every_space(user, scope) and scope.product_id is None and not scope.segment
    if everyone and whole_from <= whole_to:
        statements.append(
            select(ActivityWeekPeople.week, ActivityWeekPeople.people).where(
                ActivityWeekPeople.week >= whole_from,
                ActivityWeekPeople.week <= whole_to,
                ActivityWeekPeople.people > 0,
            )
        )
        # Only the (at most two) weeks the range cuts: a list, which SQLite reads as two
        # lookups rather than the range of every week between them.
        cut = [week for week in {first, last} if not whole_from <= week <= whole_to]
        from_days = [ActivityDay.week.in_(cut), *took_part]
    statements.append(
        select(ActivityDay.week, func.count(distinct(ActivityDay.user_id)))
        .where(*from_days)
        .group_by(ActivityDay.week)
    )
    return sorted(db.session.execute(union_all(*statements)).all())


def participation(user, scope: Scope) -> Participation:
    """Read from the rollup (``ActivityDay``): one row per person, space and day they posted
    or voted, so each count of people is a count of distinct users over an index."""
    took_part = _took_part(user, scope)
    weekly = _weekly_active(user, scope, took_part)
    per_space = (
        select(ActivityDay.space_id, func.count(distinct(ActivityDay.user_id)).label("people"))
        .where(*took_part)
        .group_by(ActivityDay.space_id)
        .subquery()
    )
    by_space = db.session.execute(
        select(Space.name, per_space.c.people)
        .join(per_space, per_space.c.space_id == Space.id)
        .order_by(per_space.c.people.desc(), Space.name)
        .limit(TOP)
    ).all()
    # Returning: took part before the range (anywhere on the site; only the count is shown).
    # Asked person by person: two index lookups each, whatever the length of the range.
    earlier = select(ActivityDay.user_id).where(
        ActivityDay.user_id == User.id, ActivityDay.day < scope.start
    )
    in_range = select(ActivityDay.user_id).where(ActivityDay.user_id == User.id, *took_part)
    people = (
        select(earlier.exists().label("earlier"))
        .select_from(User)
        .where(in_range.exists())
        .subquery()
    )
    split = db.session.execute(
        select(
            func.count().filter(people.c.earlier.is_(False)),
            func.count().filter(people.c.earlier.is_(True)),
        )
    ).one()
    return Participation(
        weekly_active=[(str(w), int(n)) for w, n in weekly],
        by_space=[(name, int(n)) for name, n in by_space],
        new=int(split[0]),
        returning=int(split[1]),
    )
