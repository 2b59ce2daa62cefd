"""Leaderboards, site-wide and per space, all time or for one month; and the reputation
section of profiles. Routes on the experts blueprint.

URLs (blueprint ``experts``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md). The other experts pages are in
``views.py``.

    GET /leaderboard           leaderboard
        The people whose help worked best, across the site
    GET /s/<slug>/leaderboard  space_leaderboard
        The people whose help worked best in one space (for those who may read it)
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import render_template
from flask_login import current_user

from community.experts import reputation
from community.experts.forms import LeaderboardArgs
from community.experts.views import bp
from community.extensions import db
from community.spaces.models import Space
from community.spaces.queries import readable_spaces
from community.web.args import parse


def _month() -> tuple[str, datetime | None, datetime | None]:
    """The period asked for: ``?month=YYYY-MM`` (none: all time)."""
    first = parse(LeaderboardArgs())["month"]
    if first is None:
        return "", None, None
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return f"{first:%Y-%m}", start, end


def _recent_months(count: int = 3) -> list[tuple[str, datetime]]:
    """This month and the ones before it, newest first, for the period links."""
    now = datetime.now(UTC)
    months = []
    year, month = now.year, now.month
    for _ in range(count):
        months.append((f"{year:04d}-{month:02d}", datetime(year, month, 1, tzinfo=UTC)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def _render(space: Space | None):
    month, since, until = _month()
    leaders = reputation.leaderboard(space_id=space.id if space else None, since=since, until=until)
    return render_template(
        "experts/leaderboard.html",
        space=space,
        leaders=leaders,
        badges=reputation.badges_for(leader.user.id for leader in leaders),
        month=month,
        month_start=since,
        months=_recent_months(),
    )


@bp.route("/leaderboard")
def leaderboard():
    """The people whose help worked best, across the site."""
    return _render(None)


@bp.route("/s/<slug>/leaderboard")
def space_leaderboard(slug: str):
    """The people whose help worked best in one space (for those who may read it)."""
    space = db.first_or_404(readable_spaces(current_user).where(Space.slug == slug[:60]))
    return _render(space)


@bp.app_template_global()
def reputation_profile(user) -> dict:
    """What the profile's reputation section shows: points, badges, points by kind."""
    return {
        "points": user.reputation,
        "badges": reputation.badges_for([user.id])[user.id],
        "by_kind": reputation.points_by_kind(user.id),
    }
