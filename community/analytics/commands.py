"""``flask analytics rebuild``: count the participation and votes rollups again from posts and
votes, and the time each idea spent in each status from the idea timelines; and the job
``analytics.rebuild`` that does the same in the background (``flask jobs enqueue``)."""

from __future__ import annotations

from flask.cli import AppGroup

from community.analytics import rollup
from community.extensions import db
from community.ideas import time_in_status
from community.jobs.registry import job
from community.progress import running

analytics_cli = AppGroup("analytics", help="The Insights dashboard's rollup.")


@analytics_cli.command("rebuild")
def rebuild() -> None:
    """Recount every row of the rollups and every step's time in status (after data was
    loaded without the app's operations)."""
    with running("Counting activity") as progress:
        progress.expect(2)
        rows = rollup.rebuild()
        progress.advance()
        time_in_status.recount()
        progress.advance()
        db.session.commit()
        progress.finish(f"Counted {rows} rows of activity (person, space, day).")


@job("analytics.rebuild")
def rebuild_job() -> None:
    """The job: count the rollups and the time in status again (the engine commits)."""
    rollup.rebuild()
    time_in_status.recount()
