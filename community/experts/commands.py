"""``flask experts route`` (for cron) and the periodic job ``experts.route``: route
unanswered questions to experts and escalate unclaimed ones."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from community.experts.routing import run_routing_pass
from community.extensions import db
from community.jobs.engine import engine
from community.jobs.registry import job

log = logging.getLogger(__name__)

experts_cli = AppGroup("experts", help="Questions routed to experts.")

#: How long the command waits for its mail to leave when jobs run in this process (seconds).
MAIL_WAIT = 15 * 60


@job("experts.route", every=lambda config: config["EXPERT_ROUTING_INTERVAL_MINUTES"] * 60)
def route_job() -> None:
    """The job: one routing pass (the engine commits it)."""
    report = run_routing_pass()
    if report.routed or report.escalated:
        log.info("expert routing: %s", "; ".join(report.lines()))


@experts_cli.command("route")
def route() -> None:
    """Route questions unanswered for EXPERT_ROUTING_DELAY_HOURS to their experts, and
    escalate routed ones unclaimed for EXPERT_ESCALATION_HOURS to the space's moderators.
    Safe to run often (from cron): each question is routed once and escalated once."""
    report = run_routing_pass()
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    engine(current_app).drain(MAIL_WAIT)  # without Redis, the mail leaves from this process
