"""The backup archive: one ``.tar.gz`` in ``BACKUP_DIR`` named by the UTC time it was made
(``cocreate-20261207T030000Z.tar.gz``), holding ``manifest.json`` first and then the files
it lists — the database (``database.sqlite3`` or ``database.pgdump``) — each with its size
and SHA-256.

The manifest says what the archive is: its format, the app's version and the schema
revision (Alembic's) of the database in it, when it was made, the database's kind and the
number of rows in each of its tables. The app keeps no uploaded files (images in posts are
linked by absolute URL), so the database is the whole site; the search index is rebuilt from
it on restore.

An archive is read in two ways: ``read_manifest`` only reads its first member (the admin
page lists backups with it), and ``unpack`` checks everything before a restore uses
anything: that every member is a regular file the manifest names, that the manifest is one
this code understands, that each file has its size and digest. Anything else is refused with
a :class:`BackupError` saying what is wrong.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

#: The manifest's format: a newer Cocreate may write a higher one, which this code refuses.
FORMAT = 1
MANIFEST = "manifest.json"
KINDS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
NAME = re.compile(r"cocreate-([0-9]{8}T[0-9]{6}Z)(?:-([0-9]{1,3}))?\.tar\.gz")
STAMP = "%Y%m%dT%H%M%SZ"
#: Working files beside the archives start with this, so a listing never shows them.
WORKING = ".work-"
SHA256 = re.compile(r"[0-9a-f]{64}")
#: The largest manifest read (it lists a few files and a count per table).
MANIFEST_LIMIT = 1 << 20


class BackupError(Exception):
    """A backup or a restore refused or failed; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Backup:
    """An archive in the backup folder, and its manifest (None: it cannot be read)."""

    name: str
    path: Path
    size: int
    manifest: dict | None

    @property
    def made_at(self) -> datetime:
        """When it was made, from its name."""
        return made_at(self.name)

    @property
    def kind(self) -> str | None:
        return (self.manifest or {}).get("database")

    @property
    def revision(self) -> str | None:
        return (self.manifest or {}).get("schema_revision")

    @property
    def rows(self) -> int | None:
        counts = (self.manifest or {}).get("counts")
        return sum(counts.values()) if isinstance(counts, dict) else None


def backup_dir() -> Path:
    """The folder of the archives: ``BACKUP_DIR``, or ``<instance>/backups``."""
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured or os.path.join(current_app.instance_path, "backups"))


def _order(name: str) -> tuple[str, int]:
    match = NAME.fullmatch(name)
    return match[1], int(match[2] or 0)


def is_archive_name(name: str) -> bool:
    """Whether ``name`` is one this code gives archives (a real UTC time in it)."""
    if not NAME.fullmatch(name):
        return False
    try:
        made_at(name)
    except ValueError:  # cocreate-20261399T999999Z.tar.gz
        return False
    return True


def _names(directory: Path) -> list[str]:
    """The names of the archives in ``directory``, newest first."""
    if not directory.is_dir():
        return []
    names = (
        entry.name
        for entry in os.scandir(directory)
        if is_archive_name(entry.name) and entry.is_file(follow_symlinks=False)
    )
    return sorted(names, key=_order, reverse=True)


def made_at(name: str) -> datetime:
    """When the archive called ``name`` was made."""
    return datetime.strptime(NAME.fullmatch(name)[1], STAMP).replace(tzinfo=UTC)


def newest_made_at(directory: Path) -> datetime | None:
    """When the newest archive in ``directory`` was made (None: there is none)."""
    names = _names(directory)
    return made_at(names[0]) if names else None


def list_backups(directory: Path) -> list[Backup]:
    """The archives in ``directory``, newest first (one ``stat`` and a few kilobytes read
    each)."""
    found = [_backup(directory, name) for name in _names(directory)]
    return [backup for backup in found if backup is not None]


def _backup(directory: Path, name: str) -> Backup | None:
    path = directory / name
    try:
        size = path.stat().st_size
    except FileNotFoundError:  # deleted meanwhile
        return None
    return Backup(name, path, size, _manifest_or_none(path))


def find_backup(directory: Path, name: str) -> Backup | None:
    """The backup called ``name`` in the listing of ``directory``: a name that is not one of
    its archives' (a path, ``..``, another file, a link) finds nothing."""
    path = directory / name
    if not is_archive_name(name) or path.is_symlink() or not path.is_file():
        return None
    return _backup(directory, name)


def _manifest_or_none(path: Path) -> dict | None:
    try:
        return read_manifest(path)
    except BackupError:
        return None


#: What a damaged archive raises while it is read.
DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError, UnicodeError)


def read_manifest(path: Path) -> dict:
    """The manifest of the archive at ``path``, read from its first member and checked."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isreg():
                raise BackupError(f"{path.name}: the archive does not start with {MANIFEST}.")
            return check_manifest(_read_json(tar, first))
    except DAMAGED as error:
        raise BackupError(f"{path.name}: not a complete backup archive ({error}).") from None


def _read_json(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict:
    if member.size > MANIFEST_LIMIT:
        raise BackupError(f"{MANIFEST} is too large to be a manifest.")
    try:
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except ValueError:
        raise BackupError(f"{MANIFEST} is not valid JSON.") from None
    if not isinstance(manifest, dict):
        raise BackupError(f"{MANIFEST} is not a JSON object.")
    return manifest


def check_manifest(manifest: dict) -> dict:
    """``manifest`` if it is one this code can restore from, else a :class:`BackupError`."""
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError("The manifest names no format: this is not a Cocreate backup.")
    if version > FORMAT:
        raise BackupError(
            f"The backup has format {version}, made by a newer Cocreate; this one reads"
            f" format {FORMAT}. Restore it with the version that made it."
        )
    kind = manifest.get("database")
    if kind not in KINDS:
        raise BackupError(f"The manifest names an unknown database kind: {kind!r}.")
    files = manifest.get("files")
    if not isinstance(files, list) or [
        f.get("name") if isinstance(f, dict) else None for f in files
    ] != [KINDS[kind]]:
        raise BackupError(f"The manifest must list exactly one file, {KINDS[kind]}.")
    for entry in files:
        size, digest = entry.get("size"), entry.get("sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BackupError(f"The manifest gives {entry['name']} no valid size.")
        if not isinstance(digest, str) or not SHA256.fullmatch(digest):
            raise BackupError(f"The manifest gives {entry['name']} no valid SHA-256.")
    revision = manifest.get("schema_revision")
    if not isinstance(revision, str) or not re.fullmatch(r"[0-9A-Za-z_]{1,64}", revision):
        raise BackupError("The manifest names no schema revision.")
    made = manifest.get("created_at")
    try:
        made = datetime.fromisoformat(made) if isinstance(made, str) and len(made) < 40 else None
    except ValueError:
        made = None
    if made is None or made.utcoffset() is None:
        raise BackupError("The manifest gives no time (created_at) it was made.")
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts.values()
    ):
        raise BackupError("The manifest's row counts are not whole numbers.")
    return manifest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path) -> dict:
    """The manifest's entry for ``path``: its name, size and SHA-256."""
    return {"name": path.name, "size": path.stat().st_size, "sha256": sha256_of(path)}


@contextlib.contextmanager
def working_dir(directory: Path) -> Iterator[Path]:
    """A private folder inside ``directory`` (on the archives' disk, not a small /tmp),
    removed afterwards."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    work = directory / f"{WORKING}{secrets.token_hex(6)}"
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_archive(directory: Path, manifest: dict, files: list[Path], made_at: datetime) -> Path:
    """Write the archive (manifest first) under a working name, then give it its final name
    without replacing another: a listing never shows half an archive."""
    partial = directory / f"{WORKING}{secrets.token_hex(6)}.tar.gz"
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            body = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(made_at.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for path in files:
                tar.add(path, arcname=path.name, recursive=False, filter=_plain)
        os.chmod(partial, 0o600)
        stamp = made_at.strftime(STAMP)
        for n in range(1000):
            final = directory / (
                f"cocreate-{stamp}.tar.gz" if n == 0 else f"cocreate-{stamp}-{n}.tar.gz"
            )
            try:
                os.link(partial, final)
                return final
            except FileExistsError:
                continue
        raise BackupError("Too many backups made in the same second.")
    finally:
        partial.unlink(missing_ok=True)


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def unpack(path: Path, into: Path) -> dict:
    """Check the archive at ``path`` through and through and extract its files into
    ``into``; its manifest. Nothing outside ``into`` is written, whatever the archive holds."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()  # reads to the end: a truncated archive fails here
            if not members or members[0].name != MANIFEST or not members[0].isreg():
                raise BackupError(f"The archive does not start with {MANIFEST}.")
            manifest = check_manifest(_read_json(tar, members[0]))
            expected = {entry["name"]: entry for entry in manifest["files"]}
            names = [m.name for m in members[1:]]
            for member in members[1:]:
                if not member.isreg():
                    raise BackupError(
                        f"The archive holds {member.name!r}, which is not a plain file"
                        " (a link or a device): refused."
                    )
                if member.name not in expected:
                    raise BackupError(
                        f"The archive holds {member.name!r}, which its manifest does not list:"
                        " refused."
                    )
            if sorted(names) != sorted(expected):
                missing = sorted(set(expected) - set(names)) or sorted(names)
                raise BackupError(f"The archive's files do not match its manifest: {missing}.")
            for member in members[1:]:
                tar.extract(member, into, filter="data")
    except DAMAGED as error:
        raise BackupError(f"Not a complete backup archive: {error}.") from None
    for name, entry in expected.items():
        file = into / name
        if file.stat().st_size != entry["size"] or sha256_of(file) != entry["sha256"]:
            raise BackupError(
                f"{name} in the archive does not match its checksum: the archive was changed"
                " or damaged."
            )
    return manifest


def prune(directory: Path, keep: int) -> list[str]:
    """Delete the oldest archives beyond the newest ``keep``; their names."""
    doomed = _names(directory)[keep:]
    for name in doomed:
        (directory / name).unlink(missing_ok=True)
    return doomed


def now() -> datetime:
    """The time a backup is stamped with (whole seconds, UTC)."""
    return datetime.now(UTC).replace(microsecond=0)
