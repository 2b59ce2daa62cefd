"""The daily backup, for the job engine's scheduler.

The scheduler calls :func:`run_scheduled` every few minutes (its period is all it knows);
the function makes a backup only when one is due: ``BACKUP_DAILY`` is on and no backup was
made since the last ``BACKUP_HOUR`` o'clock (UTC). So the backup is made at the first call
after that hour — however late or often the calls come, and once a day, not once per
instance — and a site with no backup at all gets one at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from community.backups import archive
from community.backups.archive import Backup
from community.backups.operations import make_backup
from community.jobs.registry import job

#: How often the job engine's scheduler asks whether the day's backup is due (minutes).
CHECK_EVERY = 15


def due_since(now: datetime) -> datetime:
    """The last ``BACKUP_HOUR`` o'clock (UTC) at or before ``now``."""
    due = now.replace(hour=current_app.config["BACKUP_HOUR"], minute=0, second=0, microsecond=0)
    return due if due <= now else due - timedelta(days=1)


def run_scheduled(now: datetime | None = None) -> Backup | None:
    """Make the day's backup if it is due (and delete those beyond ``BACKUP_KEEP``), in an
    application context; the backup, or None when none was due. Raises ``BackupError``
    when it fails, so the job engine records the failure."""
    if not current_app.config["BACKUP_DAILY"]:
        return None
    now = now or archive.now()
    newest = archive.newest_made_at(archive.backup_dir())
    if newest is not None and newest >= due_since(now):
        return None
    return make_backup()


@job(
    "backups.daily",
    every=lambda config: CHECK_EVERY * 60 if config["BACKUP_DAILY"] else 0,
    timeout=6 * 60 * 60,  # a large site's dump; a cut one leaves no archive (written aside)
)
def daily_backup() -> None:
    """The job: make the day's backup when it is due (a failure lands in the failed jobs)."""
    run_scheduled()
