"""Signals between features, and after-commit delivery for side effects outside the database.

Features publish what happened by sending a signal from inside an operation, while the
change is still in the session. Receivers that change the database run right away, inside
the same transaction, so they commit or roll back with it. Receivers that touch anything
outside the database (the search index, live pushes, e-mail) wrap themselves in
:func:`after_commit`: their work runs only once the transaction has committed, and is
dropped if it rolls back, so a failed write never leaves a phantom notification or hit.

Every signal is sent with the acting object as ``sender`` and keyword arguments named below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from blinker import Namespace

from community.extensions import db

_signals = Namespace()

#: A new account was registered. sender: the User.
user_registered = _signals.signal("user-registered")
#: A user's password changed (by themself or a reset); other sessions are now invalid.
#: sender: the User; ``reason``: "change" or "reset"; ``old_session_token``: the ended one.
password_changed = _signals.signal("password-changed")
#: An admin changed a user's site role. sender: the User; ``old_role``, ``new_role``, ``by``.
role_changed = _signals.signal("role-changed")
#: A user edited their profile. sender: the User.
profile_updated = _signals.signal("profile-updated")


def on_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` after the current transaction commits; drop it on rollback."""
    db.session().on_commit(func, *args, **kwargs)


def after_commit(receiver: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a signal receiver so that its body runs after the current commit."""

    @functools.wraps(receiver)
    def deferred(sender: Any, **kwargs: Any) -> None:
        on_commit(receiver, sender, **kwargs)

    return deferred
