"""The error pages: HTTP errors rendered in the site's layout, or as JSON under ``/api/``."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from community.permissions import wants_json

log = logging.getLogger(__name__)


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    401: (_l("Sign in needed"), _l("Sign in, or send an API token, to do that.")),
    403: (_l("Not allowed"), _l("You don't have permission to do that.")),
    404: (_l("Page not found"), _l("There is nothing here, or you can't see it.")),
    405: (_l("Not allowed"), _l("That action is not available here.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    415: (_l("Wrong kind of data"), _l("This address does not take data of that kind.")),
    422: (_l("Invalid input"), _l("Some of what you sent is not valid.")),
    429: (_l("Slow down"), _l("Too many attempts. Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("We couldn't complete that. Please try again later.")),
}


def _too_large() -> str | None:
    """Say how much the site accepts, when a limit is set."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return None
    return str(
        _l(
            "What you sent is too large: this site accepts at most %(size)s MB at a time.",
            size=format_decimal(round(limit / 1_048_576, 2)),
        )
    )


def _render_error(code: int, detail: str | None = None, fields: dict | None = None):
    title, message = ERROR_TEXT.get(code) or ERROR_TEXT[400 if code < 500 else 500]
    message = detail or str(message)
    if wants_json():
        error = {"code": code, "title": str(title), "message": message}
        if fields:
            error["fields"] = fields
        return jsonify(error=error), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_error_handlers(app: Flask) -> None:
    """Render HTTP errors in the site's layout, or as JSON for API paths."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        msg = _l("Your form expired or was sent from elsewhere. Reload the page and try again.")
        return _render_error(400, str(msg))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            return _render_error(429)
        if code >= 500:
            return _render_error(500)
        if code == 413:
            return _render_error(413, _too_large())
        # Only our own messages reach users: Werkzeug's defaults are English-only.
        own = error.description if error.description != type(error).description else None
        # Invalid API parameters (webargs) say which parameter is wrong and why.
        by_place = (getattr(error, "data", None) or {}).get("messages") or {}
        fields = {name: why for place in by_place.values() for name, why in place.items()}
        return _render_error(code, own, fields)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        log.error("Unhandled error: %s", error.original_exception or error)
        return _render_error(500)
