"""What a backup holds and what a restore does beyond the drill: a restore replaces what was
written since, an older backup is migrated to this code's schema, the oldest backups beyond
``BACKUP_KEEP`` go, a database no migration stamped is refused, and PostgreSQL's password
never reaches a command line."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile

import flask_migrate
import pytest
from sqlalchemy import inspect, make_url, select

from community.accounts.models import User
from community.backups import archive, databases
from community.backups.archive import BackupError
from community.backups.operations import make_backup
from community.extensions import db
from tests.backups.conftest import stamp
from tests.fixtures.postgres import app_on


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """Each test on both databases (stamped where it needs it)."""
    with app_on(request.param, tmp_path, "cocreate_backup") as app:
        yield app


@pytest.fixture
def both(app):
    stamp(app)
    return app


def usernames(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(User.username)))


def revision(app) -> str:
    with app.app_context(), db.engine.connect() as connection:
        return databases.schema_revision(connection)


def test_a_restore_takes_the_site_back_to_the_backup(both, create_user):
    create_user("kept")
    with both.app_context():
        backup = make_backup()
    create_user("written_later")
    result = both.test_cli_runner().invoke(args=["restore", str(backup.path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert usernames(both) == ["kept"]


def test_an_older_backup_is_migrated_to_this_schema(both, create_user):
    create_user("from_before")
    with both.app_context():
        head = revision(both)
        flask_migrate.downgrade(revision="-1")
        older = revision(both)
        assert older != head
        backup = make_backup()
        flask_migrate.upgrade()
    assert backup.revision == older

    result = both.test_cli_runner().invoke(args=["restore", "--yes", backup.name])
    assert result.exit_code == 0, result.output
    assert f"Migrated from schema {older}." in result.output
    assert revision(both) == head
    with both.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("brainstorm_sessions")}
    assert "timer_mode" in columns  # what the newest migration adds
    assert usernames(both) == ["from_before"]


def test_the_oldest_backups_beyond_the_count_are_deleted(both):
    both.config["BACKUP_KEEP"] = 2
    with both.app_context():
        made = [make_backup().name for _ in range(3)]
        kept = [backup.name for backup in archive.list_backups(archive.backup_dir())]
    assert len(set(made)) == 3  # made in the same second: numbered, never overwritten
    assert kept == made[:0:-1]  # the newest two, newest first


def test_a_database_no_migration_stamped_is_not_backed_up(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 1
    assert "no single schema revision" in result.output
    with app.app_context():
        assert archive.list_backups(archive.backup_dir()) == []


def test_the_postgresql_password_goes_through_the_environment(tmp_path, monkeypatch):
    calls = []
    real = subprocess.run

    def spy(arguments, **kwargs):
        calls.append((arguments, kwargs["env"]))
        return real(arguments, **kwargs)

    monkeypatch.setattr(databases.subprocess, "run", spy)
    with app_on("postgresql", tmp_path, "cocreate_backup_password") as app:
        stamp(app)
        password = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[2].split("@")[0]
        assert password
        with app.app_context():
            backup = make_backup()
        result = app.test_cli_runner().invoke(args=["restore", "--yes", str(backup.path)])
        assert result.exit_code == 0, result.output
    programs = [arguments[0].rsplit("/", 1)[-1] for arguments, _env in calls]
    assert programs == ["pg_dump", "pg_restore", "pg_restore"]  # --list, then the restore
    for arguments, env in calls:
        assert not any(f":{password}@" in argument for argument in arguments)
        if "--dbname" in arguments:  # (--list reads the file only)
            assert env["PGPASSWORD"] == password
    address = calls[0][0][calls[0][0].index("--dbname") + 1]
    assert make_url(address).password is None


def test_a_missing_pg_dump_is_named(tmp_path):
    with app_on("postgresql", tmp_path, "cocreate_backup_nopgdump") as app:
        stamp(app)
        app.config["PG_DUMP"] = str(tmp_path / "bin" / "pg_dump")
        with app.app_context(), pytest.raises(BackupError, match="pg_dump was not found at"):
            make_backup()


def test_a_postgresql_manifest_that_leaves_out_tables_is_refused(tmp_path):
    """On PostgreSQL the tables a backup lacks are dropped before pg_restore: a manifest must
    not be able to name fewer tables than its dump holds."""
    with app_on("postgresql", tmp_path, "cocreate_backup_lying") as app:
        stamp(app)
        with app.app_context(), db.engine.connect() as connection:
            backup = make_backup()
            before = databases.row_counts(connection)
        work = tmp_path / "repack"
        work.mkdir()
        with tarfile.open(backup.path) as tar:
            manifest = json.load(tar.extractfile(archive.MANIFEST))
            tar.extract(archive.KINDS["postgresql"], work, filter="data")
        manifest["counts"].pop("users")
        lying = tmp_path / "lying.tar.gz"
        with tarfile.open(lying, "w:gz") as tar:
            body = json.dumps(manifest).encode()
            info = tarfile.TarInfo(archive.MANIFEST)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(work / archive.KINDS["postgresql"], arcname=archive.KINDS["postgresql"])
        result = app.test_cli_runner().invoke(args=["restore", "--yes", str(lying)])
        assert result.exit_code == 1
        assert "are not those its manifest counts" in result.output
        with app.app_context(), db.engine.connect() as connection:
            assert databases.row_counts(connection) == before
