"""The signed-in menu's counts (unread notifications, unacknowledged warnings, questions routed
to the reader), read in one statement per page.

Each feature registers what it counts as a scalar subquery of the reader's id
(``@menu_count("notifications")``), as features register their permission rules, so this
module imports none of them; the layout calls ``menu_counts()`` once and reads each count by
its name.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user
from sqlalchemy import Select, select

from community.extensions import db

#: What each count selects, by name: a function of the reader's id returning a one-column,
#: one-row SELECT (a count, or a value that is NULL when there is nothing).
COUNTERS: dict[str, Callable[[int], Select]] = {}


def menu_count(name: str) -> Callable:
    """Register ``function(user_id) -> Select`` as the menu's count ``name``."""

    def register(function: Callable[[int], Select]) -> Callable[[int], Select]:
        COUNTERS[name] = function
        return function

    return register


def menu_counts() -> dict:
    """Every registered count for the signed-in reader, in one statement (nothing read for an
    anonymous visitor: each count is None)."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return dict.fromkeys(COUNTERS)
    columns = [count(user.id).scalar_subquery().label(name) for name, count in COUNTERS.items()]
    return db.session.execute(select(*columns)).one()._asdict()
