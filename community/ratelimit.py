"""The embedded rate-limit store: limits' in-memory storage with its expiry timer guarded.

``limits`` 5.8 (re)starts the memory storage's expiry ``Timer`` without a lock; two requests
in different threads can start the same timer twice, and the second start fails inside
``threading`` (``KeyError`` in ``Thread._bootstrap_inner``). Seen under concurrent sign-ins.
This subclass does the same under a lock; it registers the ``cocreate-memory://`` scheme.
"""

from __future__ import annotations

import threading

from flask import request
from flask_login import current_user
from limits.storage import MemoryStorage


class LockedMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["cocreate-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the unguarded original
        with self._timer_lock:
            if not self.timer.is_alive():
                self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
                self.timer.start()


def user_or_address() -> str:
    """Rate-limit key: the signed-in user (wherever they connect from), else the address."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return request.remote_addr or "unknown"
