"""The one place that answers "may this user see or do this?".

Pages, search, the API and socket handlers all ask :data:`guardian`, so they can never
disagree (Discourse calls this the Guardian). Each feature registers the rules for its own
actions with :meth:`Guardian.rule`; an action nobody registered is denied.

Hidden content is refused with 404 rather than 403 (``hide=True``), so that a private thing
is indistinguishable from a missing one.

Templates ask through :meth:`Guardian.can_here` (the ``can`` template global): a page asks
the same question many times (once per post, once per row), so while a template's question
is answered, every answer, the rules' own questions included, is kept for the rest of the
request, per rule (actions that share one share its answer), user and object. Only templates
read what is kept: views, operations and socket handlers always ask afresh, and any write to
the database (a flush, a commit or a rollback) drops what was kept, so a page rendered after
an operation never sees an answer from before it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from flask import abort, g, has_app_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event

from community.errors import OperationError
from community.extensions import db, login_manager

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
        return _ROLE_RANKS[self]

    def at_least(self, other: Role) -> bool:
        """True when this role has the powers of ``other``."""
        return _ROLE_RANKS[self] >= _ROLE_RANKS[other]


#: Each role's place in the order, worked out once. A ``StrEnum`` hashes as its text, so the
#: text of ``users.role`` finds its rank without building a ``Role``.
_ROLE_RANKS: dict[str, int] = {role: rank for rank, role in enumerate(Role)}


ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.EXPERT: _l("Expert"),
    Role.ANALYST: _l("Analyst"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Admin"),
}


def has_role(user: Any, role: Role) -> bool:
    """True when ``user`` is signed in, active and holds ``role`` or a higher one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _ROLE_RANKS[user.role] >= _ROLE_RANKS[role]


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
        memo = _answering.get()
        if memo is None:
            return bool(rule(user, obj))
        # Keyed by the rule (actions with one rule share its answer), the user and the object by
        # identity; the entry holds the user and the object, so neither id is reused meanwhile.
        key = (rule, id(user), id(obj))
        kept = memo.get(key)
        if kept is None:
            kept = memo[key] = (bool(rule(user, obj)), user, obj)
        return kept[0]

    def can_here(self, action: str, obj: Any = None) -> bool:
        """Whether the current user may perform ``action`` on ``obj``, for templates: the answer
        and those the rules asked on the way are kept for the request (see the module's
        docstring)."""
        # The user behind the proxy, once: the rules read it many times.
        user = current_user._get_current_object()
        if not has_app_context():
            return self.can(user, action, obj)
        memo = g.get("_permission_answers")
        if memo is None:
            memo = g._permission_answers = {}
        else:
            rule = self._rules.get(action)
            kept = memo.get((rule, id(user), id(obj)))
            if kept is not None:  # asked before on this page: no need to set up the memo
                return kept[0]
        token = _answering.set(memo)
        try:
            return self.can(user, action, obj)
        finally:
            _answering.reset(token)

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

#: The answers kept for this request while a template's question is answered, else None.
_answering: ContextVar[dict | None] = ContextVar("permission_answers", default=None)


def forget_answers(*_args: Any) -> None:
    """Drop the answers kept for the request: something was written (or rolled back)."""
    if has_app_context():
        g.pop("_permission_answers", None)


for _moment in ("after_flush", "after_commit", "after_rollback"):
    event.listen(db.session, _moment, forget_answers)


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
