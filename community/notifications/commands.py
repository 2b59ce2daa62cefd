"""``flask notifications digest``: the daily digest, for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.notifications.delivery import send_digests

notifications_cli = AppGroup("notifications", help="Notification e-mail.")


@notifications_cli.command("digest")
def digest() -> None:
    """Mail each user their waiting digest items in one message (safe to run again)."""
    sent = send_digests()
    click.echo(f"Sent {sent} digest(s).")
