"""Index writes off the request path: batched, retried with backoff, never raised to users.

Changes are keyed by document id, so a later change to the same document replaces an earlier
one that has not been written yet. In the background mode (the default) a daemon thread per
process applies them; the backend serialises writers, so several processes can write.
``synchronous`` mode (tests, CLI) applies them at once, keeping failures for the next try.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from community.logs import background
from community.search.backend import SearchBackend, SearchDocument


class IndexQueue:
    """Pending index changes and the worker that applies them."""

    MAX_DELAY = 30.0

    def __init__(self, backend: SearchBackend, *, synchronous: bool = False) -> None:
        self.backend = backend
        self.synchronous = synchronous
        self.failures = 0  # how many writes failed (observable by health checks and tests)
        self._pending: dict[str, SearchDocument | None] = {}
        self._busy = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, upserts: Iterable[SearchDocument] = (), removals: Iterable[str] = ()) -> None:
        """Queue documents to add or replace, and ids to remove."""
        with self._cond:
            for doc in upserts:
                self._pending[doc.id] = doc
            for doc_id in removals:
                self._pending[doc_id] = None
            self._cond.notify_all()
        if self.synchronous:
            self._write_pending()
        else:
            self._ensure_worker()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything queued is written; True when it was."""
        if self.synchronous:
            self._write_pending()
            return not self._pending
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _take(self) -> dict[str, SearchDocument | None]:
        batch, self._pending = self._pending, {}
        return batch

    def _restore(self, batch: dict[str, SearchDocument | None]) -> None:
        # Newer changes queued meanwhile win over the failed ones.
        self._pending = {**batch, **self._pending}

    def _apply(self, batch: dict[str, SearchDocument | None]) -> None:
        upserts = [doc for doc in batch.values() if doc is not None]
        removals = [doc_id for doc_id, doc in batch.items() if doc is None]
        self.backend.apply(upserts, removals)

    def _write_pending(self) -> None:
        with self._cond:
            batch = self._take()
        if not batch:
            return
        try:
            self._apply(batch)
        except Exception:
            self.failures += 1
            background.exception(
                "search index write failed; %d changes kept for the next try", len(batch)
            )
            with self._cond:
                self._restore(batch)

    def _ensure_worker(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="search-indexer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        delay = 0.5
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                while not self._pending:
                    self._cond.wait()
                batch = self._take()
                self._busy = True
            try:
                self._apply(batch)
                delay = 0.5
            except Exception:
                self.failures += 1
                background.exception("search index write failed; retrying in %.1f s", delay)
                with self._cond:
                    self._restore(batch)
                time.sleep(delay)
                delay = min(delay * 2, self.MAX_DELAY)
