"""Where the search index lives on disk, and how it is replaced while the site runs.

The index directory holds generations of the index, each a SQLite file with a name of its
own (``search-<random>.sqlite3``, with SQLite's ``-wal`` and ``-shm`` beside it), and
``CURRENT``, a one-line file naming the generation in use. A new generation is only ever
published by replacing ``CURRENT`` (write a temporary file, rename it over): a rename is
atomic, so every process sees the old generation or the new one, never half of either. A file
is never replaced under the same name, because SQLite finds a database's ``-wal`` and ``-shm``
by name and would read the old file's into the new one.

Every process checks the index before it uses it, per thread: one ``stat`` of ``CURRENT`` (read
again only when it changed) and one of the generation (its device and inode). A generation
that was replaced is reopened; one that is missing (deleted by hand) means no index: searches
find nothing, and the warning is logged once per process, not per request. The next write
starts an empty generation, marked *partial* until ``flask search rebuild`` replaces it, so new
content is found again without a restart.

Publishing is serialised between processes by ``index.lock`` (``flock``): a rebuild holds it
from start to end, and starting a generation for a lost index takes it without waiting (a
write that finds it held fails, and the indexer retries it once the rebuild is done).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

log = logging.getLogger(__name__)

POINTER = "CURRENT"
LOCK = "index.lock"
OLD_FILE = "search.sqlite3"  # the index before generations: replaced on first start
GENERATION = re.compile(r"search-[0-9a-f]{16}\.sqlite3")
SIDE_FILES = ("-wal", "-shm", "-journal")
WRITE_TIMEOUT = 10.0


class IndexBusy(RuntimeError):
    """Another process holds the index directory's lock (a rebuild is running)."""


@dataclass(eq=False)
class OpenIndex:
    """One thread's connection to one generation of the index."""

    con: sqlite3.Connection
    path: str
    identity: tuple[int, int]  # the file's device and inode when it was opened
    partial: bool  # started empty after the index was lost; a rebuild completes it


class IndexStore:
    """The generations of an index in ``directory``: which one is current, per-thread
    connections to it, and publishing a new one. ``create(con)`` writes an empty index's
    schema, stamped ``schema_version`` (``PRAGMA user_version``)."""

    def __init__(
        self, directory: str, schema_version: int, create: Callable[[sqlite3.Connection], None]
    ) -> None:
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.schema_version = schema_version
        self._create = create
        self._pointer = os.path.join(directory, POINTER)
        self._local = threading.local()
        self._starting = threading.Lock()  # threads of one process start one generation
        self._lost_reported: str | None = None
        self._report_lock = threading.Lock()
        if self.checkout(report=False) is None:
            # A first start, unless an index was here before (of an earlier version, perhaps):
            # then the new one is partial until a rebuild fills it.
            fresh = not any(os.path.exists(os.path.join(directory, n)) for n in (POINTER, OLD_FILE))
            with suppress(IndexBusy):  # a rebuild is publishing one
                self.start_generation(partial=not fresh)

    # Which generation is current

    def current_path(self) -> str | None:
        """The file ``CURRENT`` names (None without one), read again only when it changed."""
        try:
            signature = _signature(os.stat(self._pointer))
        except FileNotFoundError:
            return None
        cached = getattr(self._local, "pointer", None)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            with open(self._pointer, encoding="utf-8", errors="replace") as handle:
                signature = _signature(os.fstat(handle.fileno()))
                name = handle.read().strip()
        except FileNotFoundError:
            return None
        path = os.path.join(self.directory, name) if GENERATION.fullmatch(name) else None
        self._local.pointer = (signature, path)
        return path

    def is_current(self, index: OpenIndex) -> bool:
        """Whether ``index`` is still the current generation, in the same file."""
        if self.current_path() != index.path:
            return False
        try:
            return _identity(os.stat(index.path)) == index.identity
        except FileNotFoundError:
            return False

    # Connections

    def checkout(self, *, report: bool = True) -> OpenIndex | None:
        """This thread's connection to the current generation, reopened if it was replaced;
        None while there is no index (logged once, unless ``report`` is false)."""
        for _attempt in range(3):
            path = self.current_path()
            index: OpenIndex | None = getattr(self._local, "index", None)
            try:
                identity = _identity(os.stat(path)) if path else None
            except FileNotFoundError:
                identity = None
            if identity is None:
                self.drop()
                if report:
                    self._report_lost(path or self._pointer)
                return None
            if index is not None and index.path == path and index.identity == identity:
                return index
            self.drop()
            index = self._open(path, identity)
            if index is not None:
                self._local.index = index
                self._report_found()
                return index
            if self.current_path() == path:  # not a generation that was just replaced
                break
        if report:
            self._report_lost(path or self._pointer)
        return None

    def drop(self) -> None:
        """Close this thread's connection (the next checkout opens the current one)."""
        index = getattr(self._local, "index", None)
        if index is not None:
            self._local.index = None
            index.con.close()

    def connect(self, path: str, *, create: bool = False) -> sqlite3.Connection:
        """A connection to ``path`` in WAL mode (without ``create``, only if it exists)."""
        target = f"file:{urllib.parse.quote(path)}?mode={'rwc' if create else 'rw'}"
        con = sqlite3.connect(target, uri=True, timeout=WRITE_TIMEOUT, isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages per connection
        con.execute("PRAGMA mmap_size = 1073741824")
        con.execute("PRAGMA temp_store = MEMORY")
        return con

    def _open(self, path: str, identity: tuple[int, int]) -> OpenIndex | None:
        try:
            con = self.connect(path)
        except sqlite3.DatabaseError:
            return None  # removed since the stat, or not a database
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            partial = version == self.schema_version and bool(
                con.execute("SELECT 1 FROM info WHERE key = 'partial'").fetchone()
            )
        except sqlite3.DatabaseError:
            version = None
        if version != self.schema_version:  # an index of another version of Cocreate
            con.close()
            return None
        return OpenIndex(con, path, identity, partial)

    # Reporting a lost index once per process

    def _report_lost(self, path: str) -> None:
        with self._report_lock:
            if self._lost_reported == path:
                return
            self._lost_reported = path
        log.warning(
            "The search index %s is missing or unreadable: searches find nothing until it is "
            "back. The next write starts an empty index; run `flask search rebuild` to fill it.",
            path,
        )

    def _report_found(self) -> None:
        with self._report_lock:
            self._lost_reported = None

    # New generations

    def new_path(self) -> str:
        """A name for a new generation, used by nothing yet."""
        return os.path.join(self.directory, f"search-{secrets.token_hex(8)}.sqlite3")

    def start_generation(self, *, partial: bool) -> str:
        """Publish an empty generation in place of a missing one (unless another thread or
        process did meanwhile); its path. Raises :class:`IndexBusy` during a rebuild."""
        with self._starting, self.lock():
            if self.checkout(report=False) is not None:
                return self._local.index.path
            path = self.new_path()
            con = self.connect(path, create=True)
            try:
                con.execute("BEGIN")
                self._create(con)
                if partial:
                    con.execute("INSERT INTO info (key, value) VALUES ('partial', '1')")
                con.execute("COMMIT")
            finally:
                con.close()
            self.publish(path)
            self.remove_all_but(path)  # what the lost file left behind (its -wal and -shm)
        if partial:
            log.warning(
                "Started an empty search index %s in place of a missing one: new content is "
                "indexed again; run `flask search rebuild` to index the rest.",
                path,
            )
        return path

    def publish(self, path: str) -> None:
        """Make ``path`` the current generation for every process, atomically and durably."""
        temporary = f"{self._pointer}.{secrets.token_hex(4)}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(os.path.basename(path) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self._pointer)
        _fsync_directory(self.directory)

    def remove(self, path: str) -> None:
        """Delete a generation that is no longer current, with its side files. Processes that
        still have it open read on until their next checkout moves them to the current one."""
        for suffix in ("", *SIDE_FILES):
            with suppress(FileNotFoundError):
                os.unlink(path + suffix)

    def remove_all_but(self, path: str) -> None:
        """Delete every generation but ``path`` (called holding the lock, so no other one is
        being built): the one it replaced, and any a crashed rebuild left half-built."""
        keep = os.path.basename(path)
        for name in os.listdir(self.directory):
            base = name.removesuffix(next((s for s in SIDE_FILES if name.endswith(s)), ""))
            stale_pointer = name.startswith(POINTER + ".") and name.endswith(".tmp")
            if base != keep and (GENERATION.fullmatch(base) or base == OLD_FILE or stale_pointer):
                with suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.directory, name))

    def rebuild_running(self) -> bool:
        """Whether a process holds the directory's lock (a rebuild, or briefly a new start)."""
        try:
            with self.lock():
                return False
        except IndexBusy:
            return True

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The directory's lock, taken without waiting (:class:`IndexBusy` when held)."""
        os.makedirs(self.directory, exist_ok=True)  # deleted with everything in it
        fd = os.open(os.path.join(self.directory, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy("the search index is being rebuilt") from None
            yield
        finally:
            os.close(fd)  # releases the lock


def _signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return (stat.st_dev, stat.st_ino)


def sync_file(path: str) -> None:
    """Flush ``path`` to disk (before publishing a file written without SQLite's syncs)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
