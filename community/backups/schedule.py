"""The daily backup, for the job engine's scheduler: it calls :func:`run_scheduled` once a
day at ``BACKUP_HOUR`` (UTC) when ``BACKUP_DAILY`` is on."""

from __future__ import annotations

from community.backups.archive import Backup
from community.backups.operations import make_backup


def run_scheduled() -> Backup:
    """Make the day's backup (and delete those beyond ``BACKUP_KEEP``), in an application
    context; raises ``BackupError`` when it fails, so the job engine records the failure."""
    return make_backup()
