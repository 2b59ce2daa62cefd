"""Copying the database into a backup and back, for each kind of database.

- **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``) copies the database
  in one step while the site runs (readers and writers in other connections carry on; the
  copy is the database as of one moment), and copies a backup's file back into the
  configured one.
- **PostgreSQL**: ``pg_dump --format=custom`` from a snapshot this process exports, so the
  row counts in the manifest are those of the dump; ``pg_restore --clean --if-exists
  --no-owner`` back, in one transaction. The programs come from ``PG_DUMP`` (``pg_restore``
  beside it) or ``PATH``; the URL's password goes to them as ``PGPASSWORD``, never on their
  command line, where any user of the machine could read it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    column,
    func,
    inspect,
    select,
    table,
    text,
)

from community.backups.archive import KINDS, BackupError

#: Alembic's table of the schema revision.
REVISIONS = "alembic_version"


@dataclass(frozen=True)
class Dump:
    """A database copied into a file: the file, its schema revision and rows per table."""

    file: Path
    revision: str
    counts: dict[str, int]


def kind_of(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``: the kinds a backup can be made of."""
    kind = engine.dialect.name
    if kind not in KINDS:
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {kind}.")
    return kind


def row_counts(connection: Connection) -> dict[str, int]:
    """The number of rows in every table of the database."""
    names = sorted(inspect(connection).get_table_names())
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }


def schema_revision(connection: Connection) -> str:
    """The database's Alembic revision."""
    revisions = []
    if inspect(connection).has_table(REVISIONS):
        revisions = connection.execute(select(table(REVISIONS, column("version_num")))).scalars()
        revisions = revisions.all()
    return _one_revision(revisions)


def _one_revision(revisions: list[str]) -> str:
    """A database ``flask db upgrade`` did not make has no revision, and is refused: a restore
    could not tell which migrations it needs."""
    if len(revisions) != 1:
        raise BackupError(
            "The database has no single schema revision: make it with `flask db upgrade`"
            " (or mark one made otherwise with `flask db stamp head`)."
        )
    return revisions[0]


def dump(engine: Engine, into: Path) -> Dump:
    """Copy the database ``engine`` reaches into a file in the folder ``into``."""
    if kind_of(engine) == "sqlite":
        return _dump_sqlite(engine, into / KINDS["sqlite"])
    return _dump_postgresql(engine, into / KINDS["postgresql"])


def restore(engine: Engine, file: Path, tables: set[str]) -> None:
    """Replace the database ``engine`` reaches by the one in ``file`` (made by :func:`dump`,
    with ``tables``). The engine's pooled connections are closed first."""
    engine.dispose()
    if kind_of(engine) == "sqlite":
        _restore_sqlite(engine, file)
    else:
        _restore_postgresql(engine, file, tables)
    engine.dispose()


def check_dump(manifest: dict, file: Path) -> None:
    """Before a restore changes anything: the dump holds the tables the manifest counts (and,
    in an SQLite file, read as it is, those rows and that schema revision)."""
    if manifest["database"] == "sqlite":
        revision, counts = _sqlite_contents(file)
        if revision != manifest["schema_revision"] or counts != manifest["counts"]:
            raise BackupError(
                "The database in the archive does not hold what its manifest says: the"
                " manifest was changed."
            )
    elif _dumped_tables(file) != set(manifest["counts"]):
        raise BackupError(
            "The tables in the archive's dump are not those its manifest counts: the manifest"
            " was changed."
        )


# SQLite ------------------------------------------------------------------------------------


def _dump_sqlite(engine: Engine, file: Path) -> Dump:
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(file)
        try:
            source.driver_connection.backup(target)  # all pages in one step: one moment's copy
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            target.close()
    finally:
        source.close()
    revision, counts = _sqlite_contents(file)
    return Dump(file, revision, counts)


def _read_only(file: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)


def _count(connection: sqlite3.Connection, name: str) -> int:
    quoted = '"' + name.replace('"', '""') + '"'  # a table name read from sqlite_master
    return connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608


def _sqlite_contents(file: Path) -> tuple[str, dict[str, int]]:
    """The schema revision and rows per table of an SQLite file, read as it is (plain
    sqlite3: the app's connection settings would turn the file to WAL)."""
    connection = _read_only(file)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name"
            )
        ]
        counts = {name: _count(connection, name) for name in names}
        revisions = []
        if REVISIONS in names:
            query = "SELECT version_num FROM alembic_version"
            revisions = [row[0] for row in connection.execute(query)]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The database in the archive cannot be read: {error}.") from None
    finally:
        connection.close()
    return _one_revision(revisions), counts


def _restore_sqlite(engine: Engine, file: Path) -> None:
    source = _read_only(file)
    try:
        target = engine.raw_connection()
        try:
            # Other connections (a site still running) wait on the lock, then see the copy.
            source.backup(target.driver_connection)
        finally:
            target.close()
    finally:
        source.close()


# PostgreSQL --------------------------------------------------------------------------------


def _program(name: str) -> str:
    configured = current_app.config.get("PG_DUMP")
    if configured:
        path = Path(configured) if name == "pg_dump" else Path(configured).with_name(name)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise BackupError(f"{name} was not found at {path} (the PG_DUMP setting).")
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs (Debian:"
            " postgresql-client) or set PG_DUMP to pg_dump's path."
        )
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database's address for libpq, without the password, and an environment that
    carries the password."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = URL.create(  # URL.set(password=None) would keep the password
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return address.render_as_string(hide_password=False), env


def _run(program: str, arguments: list[str], env: dict[str, str]) -> str:
    name = Path(program).name
    # The program is PG_DUMP's or PATH's and the arguments are ours: no shell, nothing typed in.
    done = subprocess.run(  # noqa: S603
        [program, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _dumped_tables(file: Path) -> set[str]:
    """The tables whose rows a custom-format dump holds (``pg_restore --list``'s TABLE DATA
    entries: ``<id>; <oid> <oid> TABLE DATA <schema> <name> <owner>``)."""
    listing = _run(_program("pg_restore"), ["--list", str(file)], dict(os.environ))
    tables = set()
    for line in listing.splitlines():
        words = line.split()
        if not line.startswith(";") and words[3:5] == ["TABLE", "DATA"] and len(words) > 6:
            tables.add(words[6])
    return tables


def _dump_postgresql(engine: Engine, file: Path) -> Dump:
    address, env = _libpq(engine)
    pg_dump = _program("pg_dump")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the snapshot this transaction sees, so the counts match the dump.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision = schema_revision(connection)
            counts = row_counts(connection)
            _run(
                pg_dump,
                [
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={file}",
                    "--dbname",
                    address,
                ],
                env,
            )
    return Dump(file, revision, counts)


def _restore_postgresql(engine: Engine, file: Path, tables: set[str]) -> None:
    address, env = _libpq(engine)
    pg_restore = _program("pg_restore")
    with engine.begin() as connection:
        # Tables the backup does not have (added by later migrations) would keep rows that
        # point at dropped ones and block their drop: they go, and migrations make them again.
        quote = connection.dialect.identifier_preparer.quote
        for name in sorted(set(inspect(connection).get_table_names()) - tables):
            connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    _run(
        pg_restore,
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            address,
            str(file),
        ],
        env,
    )
