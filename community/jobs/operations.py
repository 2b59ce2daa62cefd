"""Changes to the failed-jobs list: a job that gave up is recorded; an admin retries or
deletes one (both audited through ``signals.failed_job_handled``)."""

from __future__ import annotations

from flask_babel import gettext as _

from community import signals
from community.errors import OperationError
from community.extensions import db
from community.jobs.models import ERROR_MAX, FailedJob
from community.jobs.registry import JOBS, enqueue
from community.permissions import guardian


def record_failure(name: str, arguments: dict, error: str, *, attempts: int) -> FailedJob:
    """Keep a job run that failed its last attempt (the error's end when it is long)."""
    failed = FailedJob(
        name=name[:80], arguments=arguments, error=error[-ERROR_MAX:], attempts=attempts
    )
    db.session.add(failed)
    db.session.flush()
    return failed


def _ensure_admin(by) -> None:
    """``by`` is an admin, or None: the operator at the command line (``flask jobs``)."""
    if by is not None and not guardian.can(by, "site.configure"):
        raise OperationError(_("Only admins handle failed jobs."))


def retry_failed_job(failed: FailedJob, *, by) -> None:
    """Start the failed job again with its arguments, once this transaction commits, and take
    it off the list (it comes back if it fails again). ``by``: an admin, or None for the
    command line."""
    _ensure_admin(by)
    if failed.name not in JOBS:
        raise OperationError(_("This job no longer exists; delete it instead."))
    signals.failed_job_handled.send(failed, change="retry", by=by)
    signals.on_commit(enqueue, failed.name, **failed.arguments)
    db.session.delete(failed)
    db.session.flush()


def delete_failed_job(failed: FailedJob, *, by) -> None:
    """Take a failed job off the list without running it again."""
    _ensure_admin(by)
    signals.failed_job_handled.send(failed, change="delete", by=by)
    db.session.delete(failed)
    db.session.flush()
