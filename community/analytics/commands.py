"""``flask analytics rebuild``: count the participation and votes rollups again from posts and
votes."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.analytics import rollup
from community.extensions import db

analytics_cli = AppGroup("analytics", help="The Insights dashboard's rollup.")


@analytics_cli.command("rebuild")
def rebuild() -> None:
    """Recount every row of the rollups (after data was loaded without the app's operations)."""
    rows = rollup.rebuild()
    db.session.commit()
    click.echo(f"Counted {rows} rows of activity (person, space, day).")
