"""Logging: one configuration for the process, every line tagged with the request (or socket
event) it belongs to, and one logger for the work that runs after or beside requests.

Every log record carries ``request_id``, ``method`` and ``path`` (``-`` outside a request):
a request takes its id from a well-formed ``X-Request-ID`` header (a proxy's, so its lines and
ours match) or gets a new one, and the response echoes it; a socket event gets an id of its
own, with ``EVENT`` and ``<namespace> <event>`` as its method and path. ``LOG_LEVEL`` sets the
level and ``LOG_FORMAT`` the line: ``text`` for people, ``json`` (one object per line) for log
collectors. Under test nothing is installed: pytest collects the records.

Side effects that run after the commit (``community.database.Session``) and search index
writes log their failures at ERROR through :data:`background` (``community.background``), so
an operator finds everything that failed out of sight of a request in one place.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from typing import Any

from flask import Flask, Response, g, has_request_context, request

#: The logger for failures of work no request waits for: after-commit side effects (search
#: index, live pushes, e-mail) and search index writes.
background = logging.getLogger("community.background")

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
#: A request id taken from a client or proxy: letters, digits and ``._:-`` only (nothing that
#: could forge a log line or a header), at most 128 characters.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
HEADER = "X-Request-ID"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(method)s %(path)s] %(message)s"
NOWHERE = ("-", "-", "-")


def begin(method: str, path: str, given: str | None = None) -> str:
    """Tag what is logged from now on in this request or socket event: ``given`` as its id
    when it is a safe token, else a new one; returns the id."""
    request_id = given if given and SAFE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
    g.log_context = (request_id, method, path)
    return request_id


def _context() -> tuple[str, str, str]:
    if not has_request_context():
        return NOWHERE
    return g.get("log_context", NOWHERE)


def _tagged_records() -> None:
    """Make every log record carry the request it belongs to (once per process)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "tags_requests", False):
        return

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made = make_record(*args, **kwargs)
        made.request_id, made.method, made.path = _context()
        return made

    record.tags_requests = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request, and the
    traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "method": getattr(record, "method", "-"),
            "path": getattr(record, "path", "-"),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(name: str) -> logging.Formatter:
    """The formatter ``LOG_FORMAT`` names."""
    return JsonFormatter() if name == "json" else logging.Formatter(TEXT_FORMAT)


class _Handler(logging.StreamHandler):
    """The one handler this module installs (so configuring again replaces it)."""


def register_logging(app: Flask) -> None:
    """Check ``LOG_LEVEL`` and ``LOG_FORMAT``, tag records with their request, give each
    request its id, and (outside tests) log to stderr at that level in that format."""
    level = str(app.config["LOG_LEVEL"]).upper()
    style = str(app.config["LOG_FORMAT"]).lower()
    if level not in LEVELS:
        raise RuntimeError(f"LOG_LEVEL={level!r}: one of {', '.join(LEVELS)}")
    if style not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT={style!r}: one of {', '.join(FORMATS)}")
    _tagged_records()

    @app.before_request
    def tag_request() -> None:
        begin(request.method, request.path, request.headers.get(HEADER))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        if "log_context" in g:
            response.headers[HEADER] = g.log_context[0]
        return response

    if app.testing:
        return
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(sys.stderr)
    handler.setFormatter(formatter(style))
    root.addHandler(handler)
    root.setLevel(level)
