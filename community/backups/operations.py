"""Making and deleting backups (``archive`` is their format, ``databases`` copies the
database).

A backup's archive is written before its audit entry, so the entry always names an archive
that exists; a deleted one's file goes after the commit, with its entry."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from flask import current_app
from flask_babel import gettext as _

from community import signals
from community.backups import archive, databases
from community.backups.archive import Backup, BackupError
from community.errors import OperationError
from community.extensions import db
from community.permissions import guardian

log = logging.getLogger(__name__)


def _app_version() -> str:
    try:
        return version("cocreate")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def make_backup() -> Backup:
    """Write a backup of the database into the backup folder and delete the oldest beyond
    ``BACKUP_KEEP``; the new backup. Raises :class:`BackupError` when it cannot."""
    directory = archive.backup_dir()
    made_at = archive.now()
    with archive.working_dir(directory) as work:
        copy = databases.dump(db.engine, work)
        manifest = {
            "format": archive.FORMAT,
            "app_version": _app_version(),
            "schema_revision": copy.revision,
            "created_at": made_at.isoformat(),
            "database": databases.kind_of(db.engine),
            "files": [archive.file_entry(copy.file)],
            "counts": copy.counts,
        }
        path = archive.write_archive(directory, manifest, [copy.file], made_at)
    backup = Backup(path.name, path, path.stat().st_size, manifest)
    pruned = archive.prune(directory, current_app.config["BACKUP_KEEP"])
    if pruned:
        log.info("Deleted old backups beyond BACKUP_KEEP: %s", ", ".join(pruned))
    return backup


def create_backup(*, by) -> Backup:
    """Back the site up now (admins, from the backups page)."""
    guardian.ensure(by, "backups.manage", message=_("Only admins make backups."))
    try:
        backup = make_backup()
    except BackupError as error:
        log.error("Backup failed: %s", error.message)
        raise OperationError(_("The backup failed: %(reason)s", reason=error.message)) from None
    signals.backup_changed.send(backup.name, change="created", size=backup.size, by=by)
    return backup


def delete_backup(backup: Backup, *, by) -> None:
    """Delete a backup (admins); its file goes once the deletion is recorded."""
    guardian.ensure(by, "backups.manage", message=_("Only admins delete backups."))
    signals.backup_changed.send(backup.name, change="deleted", size=backup.size, by=by)
    signals.on_commit(backup.path.unlink, missing_ok=True)
