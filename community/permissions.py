"""The one place that answers "may this user see or do this?".

Pages, search, the API and socket handlers all ask :data:`guardian`, so they can never
disagree (Discourse calls this the Guardian). Each feature registers the rules for its own
actions with :meth:`Guardian.rule`; an action nobody registered is denied.

Hidden content is refused with 404 rather than 403 (``hide=True``), so that a private thing
is indistinguishable from a missing one.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.errors import OperationError
from community.extensions import login_manager

Rule = Callable[[Any, Any], bool]


class Role(enum.StrEnum):
    """Site roles, each including the powers of those before it."""

    MEMBER = "member"
    EXPERT = "expert"
    #: R&D and community managers: the analytics dashboard and the idea explorer.
    ANALYST = "analyst"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        """True when this role has the powers of ``other``."""
        return self.rank >= other.rank


ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.EXPERT: _l("Expert"),
    Role.ANALYST: _l("Analyst"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Admin"),
}


def has_role(user: Any, role: Role) -> bool:
    """True when ``user`` is signed in, active and holds ``role`` or a higher one."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and Role(user.role).at_least(role)
    )


class Guardian:
    """A registry of permission rules, keyed by action name (``feature.verb``)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def rule(self, action: str) -> Callable[[Rule], Rule]:
        """Register ``fn(user, obj) -> bool`` as the rule for ``action``."""

        def register(fn: Rule) -> Rule:
            if action in self._rules and self._rules[action] is not fn:
                raise RuntimeError(f"a rule for {action!r} is already registered")
            self._rules[action] = fn
            return fn

        return register

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        """Whether ``user`` (possibly anonymous) may perform ``action`` on ``obj``."""
        rule = self._rules.get(action)
        if rule is None:
            return False
        return bool(rule(user, obj))

    def require(self, user: Any, action: str, obj: Any = None, *, hide: bool = False) -> None:
        """Abort the request unless allowed: login for anonymous users, else 403 (404 if hidden)."""
        if self.can(user, action, obj):
            return
        if hide:
            abort(404)
        if not getattr(user, "is_authenticated", False):
            abort(login_manager.unauthorized())
        abort(403)

    def ensure(self, user: Any, action: str, obj: Any = None, message: str | None = None) -> None:
        """Inside an operation: raise :class:`OperationError` with ``message`` (a generic refusal
        when none is given) unless allowed, so the view shows why and the change is rolled back."""
        if not self.can(user, action, obj):
            raise OperationError(message or str(_l("You may not do that here.")))

    @property
    def actions(self) -> list[str]:
        """Every registered action name (for documentation and tests)."""
        return sorted(self._rules)


guardian = Guardian()


def permission_required(action: str) -> Callable:
    """View decorator: require ``action`` (with no object) for the current user."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            guardian.require(current_user, action)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def wants_json() -> bool:
    """True for API paths and clients that asked for JSON rather than a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )
