"""``/healthz`` and ``/readyz`` for load balancers and monitors.

They are answered by a WSGI middleware in front of Flask, so no request hook runs for them:
no session is read or written (no ``Set-Cookie``), no rate limit is counted, no signed-in
user is loaded. ``/healthz`` says the process is alive and touches nothing else.
``/readyz`` says whether this instance can serve: the database and the search backend
answer, and so do the Socket.IO message queue, the rate-limit store and the job queue when
they are configured (Redis); otherwise 503 with a JSON body naming what is down (the reasons
go to the log, not to the caller). The body also gives the job queue's backlog (``jobs``:
where jobs run, and how many wait). Only GET and HEAD are answered; the query string is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask, current_app, json
from sqlalchemy import text
from werkzeug.wrappers import Response

from community.extensions import db, limiter

try:
    import redis
except ImportError:  # the `scale` extra: only needed when a message queue is configured
    redis = None

log = logging.getLogger(__name__)

METHODS = ("GET", "HEAD")
#: Seconds a probe waits for Redis to answer.
REDIS_TIMEOUT = 2
#: Rate-limit stores inside the process: nothing to reach.
IN_PROCESS_STORES = ("cocreate-memory://", "memory://")


def _database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _search() -> None:
    current_app.extensions["search"].backend.counts()


def _message_queue() -> None:
    if redis is None:
        raise RuntimeError("the redis package is missing: pip install -e '.[scale]'")
    url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


def _job_queue() -> None:
    current_app.extensions["jobs"].ping()


def _rate_limit_store() -> None:
    if not limiter.storage.check():
        raise ConnectionError("the rate-limit store did not answer")


def checks(app: Flask) -> dict[str, Callable[[], None]]:
    """What ``/readyz`` checks on ``app``: each raises when its service cannot be reached."""
    found = {"database": _database, "search": _search}
    if app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        found["message_queue"] = _message_queue
    if not str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(IN_PROCESS_STORES):
        found["rate_limit_store"] = _rate_limit_store
    if app.config.get("JOBS_REDIS_URL"):
        found["job_queue"] = _job_queue
    return found


def _jobs(app: Flask, reachable: bool) -> dict:
    jobs = app.extensions["jobs"]
    backlog = None
    if reachable:
        try:
            backlog = jobs.backlog()
        except Exception as error:
            log.warning("readiness: the job queue's backlog is unknown: %s", error)
    return {"engine": jobs.kind, "backlog": backlog}


def readiness(app: Flask) -> tuple[int, dict]:
    """The status code and JSON body of ``/readyz``."""
    results = {}
    with app.app_context():
        for name, check in checks(app).items():
            try:
                check()
                results[name] = "ok"
            except Exception as error:
                log.warning("readiness: %s is down: %s", name, error)
                results[name] = "down"
        jobs = _jobs(app, results.get("job_queue", "ok") == "ok")
    down = [name for name, result in results.items() if result != "ok"]
    if down:
        return 503, {"status": "unavailable", "down": down, "checks": results, "jobs": jobs}
    return 200, {"status": "ready", "checks": results, "jobs": jobs}


def _json(status: int, body: dict, **headers: str) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.update(headers)
    return response


class HealthProbes:
    """The middleware: answers the two probe paths itself, passes everything else on."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in ("/healthz", "/readyz"):
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in METHODS:
            response = _json(405, {"status": "method not allowed"}, Allow=", ".join(METHODS))
        elif path == "/healthz":
            response = _json(200, {"status": "alive"})
        else:
            response = _json(*readiness(self.app))
        return response(environ, start_response)


def register_health_probes(app: Flask) -> None:
    """Put :class:`HealthProbes` in front of the app."""
    app.wsgi_app = HealthProbes(app, app.wsgi_app)
