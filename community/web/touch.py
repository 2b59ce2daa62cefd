"""Usage stamps written beside the request, never by it: a signed-in session's
``last_seen_at`` and an API token's ``last_used_at``.

Nothing commits on a GET, yet reading a page or calling the API with a token is exactly what
these stamps record. A request queues the stamp with :func:`touch_later` (each caller decides
how stale a stamp may get before it is written again, a few minutes, so most requests queue
nothing); once the request is over and its database session is gone, the queued statements run
in one short transaction of their own, on a connection of their own. So the request's session
never commits for them, and a stamp never waits for, or rolls back with, the request's work.
A stamp that cannot be written (a locked SQLite file, a lost connection) is logged and
dropped: the next request writes it.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from sqlalchemy.sql.dml import Update

from community.extensions import db

log = logging.getLogger(__name__)


def touch_later(statement: Update) -> None:
    """Run ``statement`` (an UPDATE of a usage stamp) once this request is over, in its own
    transaction."""
    g.setdefault("usage_stamps", []).append(statement)


def register_touches(app: Flask) -> None:
    """Write the stamps a request queued when its application context ends."""

    @app.teardown_appcontext
    def write_usage_stamps(_error: BaseException | None) -> None:
        statements = g.pop("usage_stamps", None)
        if not statements:
            return
        # The request's session is done (Flask-SQLAlchemy removes it at this same moment;
        # doing it first here means no transaction of its own is still open on SQLite).
        db.session.remove()
        try:
            with db.engine.begin() as connection:
                for statement in statements:
                    connection.execute(statement)
        except Exception:
            log.warning("usage stamps not written; the next request writes them", exc_info=True)
