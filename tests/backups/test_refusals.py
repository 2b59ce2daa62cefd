"""A restore refuses, before changing anything, every archive it cannot trust or use: changed
files, members that would land outside its folder (``../``, absolute paths, links), a
manifest from a newer Cocreate or schema, another kind of database, a truncated or foreign
file. Each is refused with a message saying why; the database stays as it was."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from community.backups import archive
from community.backups.operations import make_backup
from community.extensions import db
from tests.backups.conftest import stamp


@pytest.fixture
def made(app, create_user):
    """A real backup of a site with one person, and the database file's digest after it."""
    stamp(app)
    create_user("before")
    with app.app_context():
        backup = make_backup()
    with tarfile.open(backup.path) as tar:
        manifest = json.load(tar.extractfile(archive.MANIFEST))
        database = tar.extractfile(archive.KINDS["sqlite"]).read()
    create_user("after")  # written after the backup: a restore would lose it
    return backup, manifest, database


def database_digest(app) -> str:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        path = Path(db.engine.url.database)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, body in members:
            tar.addfile(info, io.BytesIO(body) if body is not None else None)
    return path


def regular(name: str, body: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    return info, body


def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def manifest_member(manifest: dict) -> tuple[tarfile.TarInfo, bytes]:
    return regular(archive.MANIFEST, json.dumps(manifest).encode())


def restore(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["restore", *extra, str(path)])


def refused(app, path: Path, says: str, tmp_path: Path) -> None:
    before = database_digest(app)
    result = restore(app, path, "--yes")
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and says in result.output, result.output
    assert database_digest(app) == before
    with app.app_context():
        left = [p.name for p in archive.backup_dir().iterdir() if p.name.startswith(".")]
    assert left == []  # no working folder or partial file is left behind
    assert not (tmp_path / "etc").exists()


def test_a_changed_database_file_is_refused(app, made, tmp_path):
    _backup, manifest, database = made
    changed = database[:-1] + bytes([database[-1] ^ 1])
    path = pack(
        tmp_path / "changed.tar.gz",
        [manifest_member(manifest), regular(archive.KINDS["sqlite"], changed)],
    )
    refused(app, path, "does not match its checksum", tmp_path)


@pytest.mark.parametrize(
    "member",
    ["../../etc/passwd", "/etc/cron.d/cocreate", "database.sqlite3/../../etc/passwd", "x"],
)
def test_a_member_the_manifest_does_not_list_is_refused(app, made, tmp_path, member):
    _backup, manifest, database = made
    path = pack(
        tmp_path / "extra.tar.gz",
        [
            manifest_member(manifest),
            regular(archive.KINDS["sqlite"], database),
            regular(member, b"root::0:0::/root:/bin/sh\n"),
        ],
    )
    refused(app, path, "which its manifest does not list", tmp_path)
    assert not Path("/etc/cron.d/cocreate").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_a_link_in_place_of_the_database_is_refused(app, made, tmp_path, kind):
    _backup, manifest, _database = made
    path = pack(
        tmp_path / "link.tar.gz",
        [manifest_member(manifest), link(archive.KINDS["sqlite"], "/etc/passwd", kind)],
    )
    refused(app, path, "not a plain file", tmp_path)


def test_a_second_copy_of_the_database_is_refused(app, made, tmp_path):
    _backup, manifest, database = made
    path = pack(
        tmp_path / "twice.tar.gz",
        [
            manifest_member(manifest),
            regular(archive.KINDS["sqlite"], database),
            regular(archive.KINDS["sqlite"], b"SQLite format 3\x00 but not really"),
        ],
    )
    refused(app, path, "do not match its manifest", tmp_path)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"schema_revision": "f00dfeedbeef"}, "is not one this code knows: a newer Cocreate"),
        ({"schema_revision": "e2b9"}, "is not one this code knows"),  # a prefix of one
        ({"format": archive.FORMAT + 1}, "made by a newer Cocreate"),
        ({"format": "1"}, "not a Cocreate backup"),
        ({"database": "mysql"}, "unknown database kind"),
        ({"counts": {"users": -1}}, "row counts are not whole numbers"),
        ({"files": []}, "must list exactly one file"),
        ({"schema_revision": "../../x"}, "names no schema revision"),
        ({"format": 0}, "not a Cocreate backup"),
        ({"created_at": "yesterday"}, "gives no time (created_at)"),
        ({"created_at": "2026-12-07T03:00:00"}, "gives no time (created_at)"),
        ({"created_at": None}, "gives no time (created_at)"),
    ],
)
def test_a_manifest_this_code_cannot_use_is_refused(app, made, tmp_path, change, says):
    _backup, manifest, database = made
    path = pack(
        tmp_path / "manifest.tar.gz",
        [manifest_member({**manifest, **change}), regular(archive.KINDS["sqlite"], database)],
    )
    refused(app, path, says, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: {**m, "counts": {**m["counts"], "users": m["counts"]["users"] + 1}},
        lambda m: {**m, "counts": {k: n for k, n in m["counts"].items() if k != "users"}},
        lambda m: {**m, "counts": {}},
        lambda m: {**m, "schema_revision": "a7e3b9d51c28"},  # known, but not the file's
    ],
)
def test_a_manifest_that_does_not_describe_its_database_is_refused(app, made, tmp_path, change):
    """The checksums cover the files, not the manifest: what it says of the database is
    checked against the file itself before anything changes."""
    _backup, manifest, database = made
    path = pack(
        tmp_path / "lying.tar.gz",
        [manifest_member(change(manifest)), regular(archive.KINDS["sqlite"], database)],
    )
    refused(app, path, "does not hold what its manifest says", tmp_path)


def test_a_backup_of_the_other_kind_of_database_is_refused(app, made, tmp_path):
    _backup, manifest, database = made
    name = archive.KINDS["postgresql"]
    files = [{"name": name, "size": len(database), "sha256": hashlib.sha256(database).hexdigest()}]
    path = pack(
        tmp_path / "kind.tar.gz",
        [
            manifest_member({**manifest, "database": "postgresql", "files": files}),
            regular(name, database),
        ],
    )
    refused(app, path, "names a sqlite one: restore it into a postgresql database", tmp_path)


def test_a_truncated_archive_is_refused(app, made, tmp_path):
    backup, _manifest, _database = made
    body = backup.path.read_bytes()
    path = tmp_path / "truncated.tar.gz"
    path.write_bytes(body[: len(body) * 2 // 3])
    refused(app, path, "Not a complete backup archive", tmp_path)


@pytest.mark.parametrize(
    "body",
    [b"", b"not an archive at all", gzip.compress(b"plain text, gzipped", mtime=0)],
    ids=["empty", "text", "gzipped-text"],
)
def test_a_file_that_is_no_archive_is_refused(app, made, tmp_path, body):
    path = tmp_path / "foreign.tar.gz"
    path.write_bytes(body)
    refused(app, path, "Not a complete backup archive", tmp_path)


def test_an_archive_without_its_manifest_first_is_refused(app, made, tmp_path):
    _backup, manifest, database = made
    path = pack(
        tmp_path / "order.tar.gz",
        [regular(archive.KINDS["sqlite"], database), manifest_member(manifest)],
    )
    refused(app, path, "does not start with manifest.json", tmp_path)


def test_a_restore_asks_first_and_a_no_changes_nothing(app, made):
    backup, _manifest, _database = made
    before = database_digest(app)
    result = app.test_cli_runner().invoke(args=["restore", backup.name], input="n\n")
    assert "Replace this site's database with the backup made" in result.output
    assert "Nothing was restored." in result.output
    assert database_digest(app) == before


def test_a_name_that_is_neither_a_file_nor_a_backup_is_refused(app, made):
    result = restore(app, Path("cocreate-20990101T000000Z.tar.gz"), "--yes")
    assert result.exit_code == 2
    assert "neither a file nor a backup in BACKUP_DIR" in result.output
