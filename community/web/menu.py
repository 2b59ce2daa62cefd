"""The signed-in menu's counts (unread notifications, unacknowledged warnings, questions routed
to the reader), read in one statement per page.

Each feature registers what it counts as a scalar subquery of the reader's id
(``@menu_count("notifications")``), as features register their permission rules, so this
module imports none of them; the layout calls ``menu_counts()`` once and reads each count by
its name.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, bindparam, select

from community.extensions import db

#: What each count selects, by name: a function of the reader's id (an int, or a bound
#: parameter) returning a one-column, one-row SELECT (a count, or a value that is NULL when
#: there is nothing).
COUNTERS: dict[str, Callable[[Any], Select]] = {}


def menu_count(name: str) -> Callable:
    """Register ``function(user_id) -> Select`` as the menu's count ``name``."""

    def register(function: Callable[[Any], Select]) -> Callable[[Any], Select]:
        COUNTERS[name] = function
        _statement.cache_clear()
        return function

    return register


def menu_counts() -> dict:
    """Every registered count for the signed-in reader, in one statement (nothing read for an
    anonymous visitor: each count is None)."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return dict.fromkeys(COUNTERS)
    return db.session.execute(_statement(), {"reader": user.id}).one()._asdict()


@cache
def _statement() -> Select:
    """The counts' statement, for the reader's id as the parameter ``reader``: built once
    (building it costs more than running it), again only if a count is registered after."""
    reader = bindparam("reader")
    return select(*(count(reader).scalar_subquery().label(n) for n, count in COUNTERS.items()))
