"""The embedded limit store (``community/ratelimit.py``): limits' memory storage made safe for
threads through its public interface only."""

from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.storage.base import MovingWindowSupport, SlidingWindowCounterSupport
from limits.strategies import FixedWindowRateLimiter

from community.ratelimit import LockedMemoryStorage

PUBLIC_INTERFACE = {
    name
    for base in (MemoryStorage, Storage, MovingWindowSupport, SlidingWindowCounterSupport)
    for name in dir(base)
    if not name.startswith("_")
}


def test_the_store_overrides_only_the_public_storage_interface():
    """Overriding a private (name-mangled) method of ``limits`` would silently stop working
    when ``limits`` renames it; every override must be a public method of the storage."""
    overridden = {
        name
        for name, value in vars(LockedMemoryStorage).items()
        if callable(value) and name != "__init__"
    }
    assert overridden, "the store guards nothing"
    assert overridden <= PUBLIC_INTERFACE, overridden - PUBLIC_INTERFACE
    assert not [name for name in vars(LockedMemoryStorage) if name.startswith("_MemoryStorage")]


def test_the_scheme_names_the_locked_store():
    assert isinstance(storage_from_string("cocreate-memory://"), LockedMemoryStorage)


class _WatchingTimer:
    """Stands in for the expiry timer: records, whenever the storage asks whether it runs,
    whether another thread could take the store's write lock at that moment."""

    def __init__(self, store: LockedMemoryStorage) -> None:
        self.store = store
        self.unguarded: list[bool] = []

    def is_alive(self) -> bool:
        taken: list[bool] = []

        def try_lock() -> None:
            got = self.store._write_lock.acquire(blocking=False)
            if got:
                self.store._write_lock.release()
            taken.append(got)

        other = threading.Thread(target=try_lock)
        other.start()
        other.join()
        self.unguarded.extend(taken)
        return True  # "running": the storage starts no real timer


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.incr("k", 60),
        lambda store: store.decr("k"),
        lambda store: store.acquire_entry("k", 5, 60),
        lambda store: store.acquire_sliding_window_entry("k", 5, 60),
    ],
    ids=["incr", "decr", "acquire_entry", "acquire_sliding_window_entry"],
)
def test_the_expiry_timer_is_only_checked_under_the_lock(write):
    store = LockedMemoryStorage("cocreate-memory://")
    real_timer, watcher = store.timer, _WatchingTimer(store)
    store.timer = watcher
    try:
        write(store)
    finally:
        store.timer = real_timer
    assert watcher.unguarded and not any(watcher.unguarded)


def test_threads_hitting_at_once_count_every_hit_and_raise_nothing(monkeypatch):
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    store = LockedMemoryStorage("cocreate-memory://")
    limiter = FixedWindowRateLimiter(store)
    item = parse("100000 per hour")
    start = threading.Barrier(8)

    def hit() -> None:
        start.wait()
        for _ in range(200):
            limiter.hit(item, "test")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert limiter.get_window_stats(item, "test").remaining == 100000 - 8 * 200
