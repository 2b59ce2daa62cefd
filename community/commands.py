"""Command-line verbs: ``flask users``, ``flask demo``, ``flask ideas``, ``flask forums``,
``flask reputation``, ``flask experts``, ``flask analytics``, ``flask backup``, ``flask restore``,
``flask jobs`` and ``flask serve``."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from community import demo
from community.accounts import operations as accounts
from community.analytics.commands import analytics_cli
from community.backups.commands import backup, restore
from community.errors import OperationError
from community.experts import reputation
from community.experts.commands import experts_cli
from community.extensions import db, socketio
from community.forums import operations as forum_operations
from community.ideas import operations as ideas_operations
from community.ideas import trending
from community.jobs.commands import jobs_cli
from community.jobs.engine import Scheduler, in_process_schedule
from community.notifications.commands import notifications_cli
from community.permissions import Role
from community.progress import running
from community.search.commands import search_cli

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying Cocreate out.")


@users_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.option("--display-name", default="", help="Defaults to the username.")
@click.password_option(help="Prompted for (hidden, twice) when not given.")
def create_admin(username: str, email: str, display_name: str, password: str) -> None:
    """Create an account with the admin role."""
    try:
        user = accounts.register_user(
            username=username,
            email=email,
            display_name=display_name or username,
            password=password,
            role=Role.ADMIN,
        )
    except OperationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created admin {user.username} <{user.email}>.")


def _print_logins() -> None:
    logins = ", ".join(demo.DEMO_LOGINS)
    click.echo(f"Demo logins (password: {demo.DEMO_PASSWORD}): {logins}")


@demo_cli.command("load")
@click.option(
    "--allow-production",
    is_flag=True,
    help="Load it on a production configuration too (a trial cluster, a staging site).",
)
@with_appcontext
def load_demo(allow_production: bool) -> None:
    """Load demo data once (a second run changes nothing). Refused in production unless
    asked for with --allow-production: its accounts share one published password."""
    if not current_app.config["DEMO_DATA_ALLOWED"] and not allow_production:
        raise click.ClickException(
            "Demo data is not loaded in production: its accounts share one published"
            " password. To load it anyway (a trial or staging site), run"
            " `flask demo load --allow-production`."
        )
    if demo.demo_loaded():
        click.echo("Demo data is already loaded.")
    else:
        with running("Loading demo data") as progress:
            users = demo.load_demo(progress)
            db.session.commit()
            progress.finish(f"Loaded demo data: {len(users)} people.")
    _print_logins()


@click.command("serve")
@click.option("--host", help="Default: the HOST setting.")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: the PORT setting.")
@with_appcontext
def serve(host: str | None, port: int | None) -> None:
    """Serve the site with Socket.IO (development server; use gunicorn in production), and
    without JOBS_REDIS_URL, run the periodic jobs (expert routing, digests) in the process."""
    app = current_app._get_current_object()
    host = app.config["HOST"] if host is None else host
    port = app.config["PORT"] if port is None else port
    # Flask refuses app.run() under its CLI unless told this is deliberate.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    scheduled = in_process_schedule(app)
    if scheduled is None:
        click.echo("Background jobs go to Redis: run `flask jobs worker` beside this.")
    elif scheduled:
        Scheduler(app).start()
    for name, seconds in scheduled or ():
        click.echo(f"Running the job {name} every {seconds / 60:g} minutes.")
    click.echo(f"Cocreate is running on http://{host}:{port}/  (Ctrl+C to stop)")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


ideas_cli = AppGroup("ideas", help="Ideas and their votes.")


@ideas_cli.command("recount")
def recount_ideas() -> None:
    """Make every idea's vote count equal its votes, count the trending values again and
    make every space's idea counts (per status) equal its shown ideas (a second run changes
    nothing)."""
    with running("Recounting ideas") as progress:
        fixed = ideas_operations.recount_votes()
        counted = trending.recount_all(progress=progress)
        spaces = ideas_operations.recount_space_ideas()
        db.session.commit()
        progress.finish(
            f"Fixed {fixed} vote counts. Counted the trending value of {counted} ideas. "
            f"Fixed {spaces} idea counts of spaces."
        )


forums_cli = AppGroup("forums", help="Threads and their replies.")


@forums_cli.command("recount")
def recount_forums() -> None:
    """Make every thread's reply and answer counts equal its live replies (answers: those
    by others than the asker), and every space's thread counts (all, questions, discussions)
    its live threads; a second run changes nothing."""
    with running("Recounting threads") as progress:
        progress.expect(2)  # two statements
        fixed = forum_operations.recount_replies()
        progress.advance()
        spaces = forum_operations.recount_space_threads()
        db.session.commit()
        progress.advance()
        progress.finish(
            f"Fixed the reply and answer counts of {fixed} threads. "
            f"Fixed the thread counts of {spaces} spaces."
        )


reputation_cli = AppGroup("reputation", help="Reputation points and badges.")


@reputation_cli.command("recount")
def recount_reputation() -> None:
    """Rebuild every reputation entry from the facts and every total from the entries (a
    second run changes nothing); award badges that are due."""
    with running("Recounting reputation") as progress:
        fixed = reputation.recount(progress)
        db.session.commit()
        progress.finish(f"Fixed {fixed} reputation entries and totals.")


def register_cli(app: Flask) -> None:
    """Attach the command groups to ``app``."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(serve)
    app.cli.add_command(search_cli)
    app.cli.add_command(ideas_cli)
    app.cli.add_command(forums_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(experts_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(analytics_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
