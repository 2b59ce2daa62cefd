"""``flask notifications digest`` (for cron) and the periodic job ``notifications.digest``
that mails the digest every DIGEST_INTERVAL_HOURS."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from community.jobs.engine import engine
from community.jobs.registry import job
from community.notifications.delivery import send_digests

notifications_cli = AppGroup("notifications", help="Notification e-mail.")

#: How long the command waits for its mail to leave when jobs run in this process (seconds).
MAIL_WAIT = 15 * 60


@job("notifications.digest", every=lambda config: config["DIGEST_INTERVAL_HOURS"] * 3600)
def digest_job() -> None:
    """The job: mail the waiting digests (each mail a job of its own)."""
    send_digests()


@notifications_cli.command("digest")
def digest() -> None:
    """Mail each user their waiting digest items in one message (safe to run again; the job
    engine also does it every DIGEST_INTERVAL_HOURS)."""
    sent = send_digests()
    click.echo(f"Sent {sent} digest(s).")
    engine(current_app).drain(MAIL_WAIT)  # without Redis, the mail leaves from this process
