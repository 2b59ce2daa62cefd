"""The declarative base, naming convention, UTC timestamps, the model mixins (timestamps,
soft deletion, hiding by moderation) and SQLite connection settings."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

from community.logs import background

T = TypeVar("T")

# Named constraints let batch migrations on SQLite drop and recreate them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model: one metadata with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    """``created_at`` and ``updated_at`` set by the application, in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SoftDeleted:
    """``deleted_at``: deleting marks the row instead of removing it, so it can be shown as a
    placeholder, counted out and restored."""

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Hideable:
    """``hidden_at``: hidden pending a moderator's review (community/moderation) until they
    approve it; what hiding keeps from whom is the model's to say."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "OFF")


#: Seconds to wait for a database server to accept a connection before the request fails
#: (503) rather than hang.
DATABASE_CONNECT_TIMEOUT = 5


def server_engine_options(app) -> None:
    """For a database server (PostgreSQL), not SQLite: check each pooled connection before
    use (``pool_pre_ping``), so connections a restarted server dropped are replaced instead
    of failing a request; and give up connecting after ``DATABASE_CONNECT_TIMEOUT``. Options
    the app was given win."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": DATABASE_CONNECT_TIMEOUT}}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys, let readers run beside a writer, and wait for locks on SQLite.
    Each commit is flushed to disk (``SQLITE_SYNCHRONOUS``, FULL) unless the configuration
    says otherwise: the test suite, whose databases are thrown away, does not wait for it."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        synchronous = "FULL"
        if has_app_context():
            synchronous = current_app.config.get("SQLITE_SYNCHRONOUS", "FULL")
        if synchronous not in SQLITE_SYNCHRONOUS:
            raise RuntimeError(f"SQLITE_SYNCHRONOUS={synchronous!r}: FULL, NORMAL or OFF")
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
        _ensure_math_functions(dbapi_connection)


def _ensure_math_functions(connection: sqlite3.Connection) -> None:
    """``ln`` and ``power`` (trending, see ``community/ideas/trending.py``), from Python where
    SQLite was built without its math functions."""
    try:
        connection.execute("SELECT ln(2.0), power(2.0, 0.5)")
    except sqlite3.OperationalError:
        connection.create_function("ln", 1, math.log, deterministic=True)
        connection.create_function("power", 2, math.pow, deterministic=True)


@event.listens_for(Engine, "savepoint")
def _begin_before_first_savepoint(conn, name) -> None:
    """On SQLite, start the transaction before a savepoint that would otherwise start it.

    pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so a savepoint taken before
    the first write opens the transaction itself, and releasing it commits at once: the request
    could no longer roll that write back (a vote's row would stay while its count increment
    rolled back). ``BEGIN IMMEDIATE`` takes the write lock now, waiting up to ``busy_timeout``;
    after a deferred ``BEGIN``, a savepoint that reads before it writes would fail at once with
    "database is locked" whenever another process committed in between.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


class Session(FlaskSession):
    """The session class: callbacks queued with :meth:`on_commit` run once a commit succeeds.

    They run after ``commit()`` has returned, so they may read the database again; a rollback
    or closing the session without committing drops them.
    """

    def on_commit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue ``func`` to run after the next successful commit."""
        self.info.setdefault("after_commit", []).append((func, args, kwargs))

    def before_commit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue ``func`` to run inside the transaction just before it commits, once every
        receiver of the operation's signals has had its say (their order is not defined)."""
        self.info.setdefault("before_commit", []).append((func, args, kwargs))

    def transaction_scoped(self, key: str, factory: Callable[[], T]) -> T:
        """The object stored under ``key`` for the current transaction, made by ``factory``
        at first use; the next commit, rollback or close forgets it."""
        store = self.info.setdefault("transaction_scoped", {})
        if key not in store:
            store[key] = factory()
        return store[key]

    def commit(self) -> None:
        while pending := self.info.pop("before_commit", []):
            for func, args, kwargs in pending:
                func(*args, **kwargs)
        super().commit()
        self.info.pop("transaction_scoped", None)
        while pending := self.info.pop("after_commit", []):
            for func, args, kwargs in pending:
                try:
                    func(*args, **kwargs)
                except Exception as error:
                    # The data is committed; a failed side effect must not fail the request.
                    background.exception(
                        "after-commit task %s failed", getattr(func, "__qualname__", func)
                    )
                    if isinstance(error, SQLAlchemyError):
                        # Its transaction (opened after the commit) may be unusable, e.g. the
                        # connection was lost: end it, so the request's next read starts anew
                        # (and meets an outage as a 503, not "Can't reconnect until invalid
                        # transaction is rolled back"). The queued tasks still run.
                        super().rollback()

    def rollback(self) -> None:
        self.info.pop("before_commit", None)
        self.info.pop("after_commit", None)
        self.info.pop("transaction_scoped", None)
        super().rollback()

    def close(self) -> None:
        self.info.pop("before_commit", None)
        self.info.pop("after_commit", None)
        self.info.pop("transaction_scoped", None)
        try:
            super().close()
        except SQLAlchemyError:
            # Ending the transaction failed: its connection is gone (the database restarted
            # under it). The request's answer is decided by now and must not become a 500:
            # drop the connection instead of returning it to the pool.
            background.warning("closing a session failed; its connection is dropped")
            super().invalidate()


#: The largest row id: ids are 32-bit INTEGER columns on every backend (PostgreSQL refuses a
#: larger number in a query; ``community.web.args`` bounds every number from outside by it).
ID_MAX = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number that fits the database's INTEGER columns, so an
    address like ``/t/99999999999999999999`` is a 404 rather than an overflow in the driver."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
