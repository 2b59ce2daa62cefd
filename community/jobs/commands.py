"""``flask jobs``: the worker, the failed-jobs list, retrying one, and starting a job by hand.

With ``JOBS_REDIS_URL`` set, run ``flask jobs worker`` (one or more, on any hosts) beside the
web processes; it runs the jobs and schedules the periodic ones once per period.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from community.errors import OperationError
from community.extensions import db
from community.jobs.engine import engine, work
from community.jobs.models import FailedJob
from community.jobs.operations import delete_failed_job, retry_failed_job
from community.jobs.registry import JOBS, periodic_jobs
from community.jobs.registry import enqueue as enqueue_job

jobs_cli = AppGroup("jobs", help="Background jobs: the worker and failed jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Schedule once, run what is queued, then exit.")
def worker(burst: bool) -> None:
    """Run queued jobs and schedule the periodic ones (needs JOBS_REDIS_URL). Run as many as
    you like: each periodic job still starts once per period."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        for spec, period in periodic_jobs(app.config):
            click.echo(f"Scheduling {spec.name} every {period / 60:g} minutes.")
        work(app, burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@jobs_cli.command("failed")
def failed() -> None:
    """List the failed jobs, newest first: id, when, name, attempts and the error's last line."""
    rows = db.session.scalars(select(FailedJob).order_by(FailedJob.id.desc()))
    count = 0
    for row in rows:
        last = (row.error.strip().splitlines() or [""])[-1]
        click.echo(f"{row.id}\t{row.failed_at:%Y-%m-%d %H:%M}\t{row.name}\t{row.attempts}\t{last}")
        count += 1
    click.echo(f"{count} failed job(s).", err=True)


def _load(job_id: int) -> FailedJob:
    row = db.session.get(FailedJob, job_id)
    if row is None:
        raise click.ClickException(f"There is no failed job {job_id}.")
    return row


@jobs_cli.command("retry")
@click.argument("job_id", type=click.IntRange(1, 2**31 - 1))
def retry(job_id: int) -> None:
    """Run failed job JOB_ID again (it leaves the list; it comes back if it fails again)."""
    try:
        retry_failed_job(_load(job_id), by=None)
    except OperationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    engine(current_app).drain()
    click.echo(f"Retried failed job {job_id}.")


@jobs_cli.command("delete")
@click.argument("job_id", type=click.IntRange(1, 2**31 - 1))
def delete(job_id: int) -> None:
    """Take failed job JOB_ID off the list without running it."""
    delete_failed_job(_load(job_id), by=None)
    db.session.commit()
    click.echo(f"Deleted failed job {job_id}.")


@jobs_cli.command("enqueue")
@click.argument("name")
def enqueue(name: str) -> None:
    """Start job NAME now (one that takes no arguments, such as a periodic one)."""
    if name not in JOBS:
        raise click.ClickException(f"No job {name!r}; the jobs are: {', '.join(sorted(JOBS))}.")
    enqueue_job(name)
    engine(current_app).drain()
    click.echo(f"Enqueued {name}.")
