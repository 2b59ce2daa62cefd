"""``flask experts route`` (for cron) and the background loop ``flask serve`` starts: route
unanswered questions to experts and escalate unclaimed ones."""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask.cli import AppGroup

from community.experts.routing import RoutingReport, run_routing_pass
from community.extensions import db, socketio

log = logging.getLogger(__name__)

experts_cli = AppGroup("experts", help="Questions routed to experts.")


@experts_cli.command("route")
def route() -> None:
    """Route questions unanswered for EXPERT_ROUTING_DELAY_HOURS to their experts, and
    escalate routed ones unclaimed for EXPERT_ESCALATION_HOURS to the space's moderators.
    Safe to run often (from cron): each question is routed once and escalated once."""
    report = run_routing_pass()
    db.session.commit()
    for line in report.lines():
        click.echo(line)


def route_once(app: Flask) -> RoutingReport | None:
    """One routing pass in its own app context and transaction; None if it failed (logged).
    The report's lines are read before the session closes; its rows are detached after."""
    with app.app_context():
        try:
            report = run_routing_pass()
            db.session.commit()
            if report.routed or report.escalated:
                log.info("expert routing: %s", "; ".join(report.lines()))
        except Exception:  # the loop must outlive a bad pass; the next one retries
            db.session.rollback()
            log.exception("expert routing pass failed")
            return None
        finally:
            db.session.remove()
    return report


def routing_loop(app: Flask) -> None:
    """Run the routing pass every EXPERT_ROUTING_INTERVAL_MINUTES, for ever."""
    interval = app.config["EXPERT_ROUTING_INTERVAL_MINUTES"] * 60
    while True:
        socketio.sleep(interval)
        route_once(app)


def start_routing_loop(app: Flask) -> bool:
    """Start :func:`routing_loop` in the background unless the interval is 0 (tests, or a
    site that routes from cron); returns whether it started."""
    if not app.config["EXPERT_ROUTING_INTERVAL_MINUTES"]:
        return False
    socketio.start_background_task(routing_loop, app)
    return True
