"""Rate limits: per-person budgets shared by every channel, and the embedded limit store.

A budget (``POST_LIMIT``, ``VOTE_LIMIT``, ``FLAG_LIMIT``, …; see community/envvars.py) is one
count per person, whatever they use to spend it: a page, a JSON call of a page, the API with any
of their tokens, or a Socket.IO event. Views take it with :func:`person_limit`, socket handlers
with :func:`spend`; both count in the limiter's store (``RATELIMIT_STORAGE_URI``), so with a
shared store (Redis) the budget also holds across processes.

Writes never wait on that store being up: with ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`` (on
by default) Flask-Limiter counts in the process's memory while the store is unreachable and
goes back to it once it answers again (it checks with a growing back-off, at most ~32 s).
:func:`spend` hits the store itself, so it makes the same switch when the store fails.

``limits`` 5.8 (re)starts the memory storage's expiry ``Timer`` without a lock; two requests
in different threads can start the same timer twice, and the second start fails inside
``threading`` (``KeyError`` in ``Thread._bootstrap_inner``). Seen under concurrent sign-ins.
:class:`LockedMemoryStorage` runs each of the storage's public writes (the ``Storage``
interface: ``incr``, ``decr``, ``acquire_entry``, ``acquire_sliding_window_entry``, ``clear``,
``reset``) under one lock, so only one thread at a time can reach that timer; it overrides
nothing private, so an upgrade of ``limits`` cannot silently bypass it. It registers the
``cocreate-memory://`` scheme.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from limits import parse
from limits.storage import MemoryStorage

from community.extensions import limiter

log = logging.getLogger(__name__)

#: Methods that only read: they never spend a budget.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LockedMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["cocreate-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        # Reentrant: the sliding window's acquire calls incr and decr.
        self._write_lock = threading.RLock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._write_lock:
            return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        with self._write_lock:
            return super().decr(key, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._write_lock:
            return super().acquire_entry(key, limit, expiry, amount)

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        with self._write_lock:
            return super().acquire_sliding_window_entry(key, limit, expiry, amount)

    def clear(self, key: str) -> None:
        with self._write_lock:
            super().clear(key)

    def reset(self) -> int | None:
        with self._write_lock:
            return super().reset()


def person_key() -> str:
    """Who spends: the signed-in person (by session cookie or API token, from anywhere), else
    the address."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"addr:{request.remote_addr or 'unknown'}"


def spend(config_key: str) -> bool:
    """Take one from the caller's budget named by ``config_key`` (e.g. ``"VOTE_LIMIT"``, whose
    value reads ``"60 per minute"``); False when it is used up."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    item = parse(current_app.config[config_key])
    key = (item, "budget", config_key, person_key())
    try:
        return limiter.limiter.hit(*key)
    except Exception:
        if not current_app.config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"):
            raise
        # The store is down: count in memory, as Flask-Limiter does for its own limits; it
        # checks the store again (with back-off) on later requests and switches back.
        log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter._storage_dead = True  # Flask-Limiter's own switch (see _check_request_limit)
        return limiter.limiter.hit(*key)


def person_limit(config_key: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view: each request that changes something (not GET/HEAD/OPTIONS) spends one
    from the caller's ``config_key`` budget, shared with every other view and socket event
    spending it; past the budget the answer is 429 (a page, or JSON for the API and scripts)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if request.method not in SAFE_METHODS and not spend(config_key):
                abort(429)
            return view(*args, **kwargs)

        return limited

    return decorate
