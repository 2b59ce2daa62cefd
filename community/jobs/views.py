"""The admins' page of failed background jobs: what failed, the error, retry or delete.

URLs (blueprint ``jobs``):

    GET /admin/jobs                        failed_jobs
        Failed background jobs, newest first, with their errors
    POST /admin/jobs/<int:job_id>/retry    retry_job
        Run a failed job again
    POST /admin/jobs/<int:job_id>/delete   delete_job
        Take a failed job off the list
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community.extensions import db
from community.jobs import operations
from community.jobs.engine import engine
from community.jobs.models import FailedJob
from community.jobs.registry import JOBS
from community.logs import background
from community.permissions import permission_required
from community.web.actions import attempt
from community.web.args import page_number

bp = Blueprint("jobs", __name__)

PER_PAGE = 20


def _queue_state() -> dict:
    """Where jobs run and how many wait; ``backlog`` None when the queue does not answer."""
    jobs = engine(current_app)
    try:
        backlog = jobs.backlog()
    except Exception:
        background.exception("the job queue did not answer")
        backlog = None
    return {"kind": jobs.kind, "backlog": backlog}


@bp.route("/admin/jobs")
@permission_required("site.configure")
def failed_jobs():
    """Failed background jobs, newest first, with their errors."""
    page = db.paginate(
        select(FailedJob).order_by(FailedJob.id.desc()),
        page=page_number(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("admin/jobs.html", page=page, queue=_queue_state(), known=JOBS)


@bp.route("/admin/jobs/<int:job_id>/retry", methods=["POST"])
@permission_required("site.configure")
def retry_job(job_id: int):
    """Run a failed job again."""
    failed = db.get_or_404(FailedJob, job_id)
    return attempt(
        url_for("jobs.failed_jobs"),
        lambda: operations.retry_failed_job(failed, by=current_user),
        _("The job was started again."),
    )


@bp.route("/admin/jobs/<int:job_id>/delete", methods=["POST"])
@permission_required("site.configure")
def delete_job(job_id: int):
    """Take a failed job off the list."""
    failed = db.get_or_404(FailedJob, job_id)
    return attempt(
        url_for("jobs.failed_jobs"),
        lambda: operations.delete_failed_job(failed, by=current_user),
        _("The failed job was deleted."),
    )
