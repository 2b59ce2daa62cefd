"""The error pages: HTTP errors in the site's layout, or as JSON for the API and scripts.

When the database cannot be reached (503), or the layout itself fails to render (it loads the
signed-in user and counts their notifications), the error comes as a page of its own
(``errors/outage.html``), rendered without the context processors in the language the request
names (``request_locale``): it reads nothing from the database, so it works during an outage,
and a database that cannot be reached answers 503 ("try again in a moment") instead of a bare
"Internal Server Error"."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template
from flask_babel import force_locale, format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from community.permissions import wants_json
from community.web.i18n import html_lang, request_locale

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
    503: (
        _l("Briefly unavailable"),
        _l("The site can't reach its database right now. Please try again in a moment."),
    ),
}

#: What a database that cannot be reached raises: refused or dropped connections, a server
#: shutting down, no pooled connection free in time.
DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
#: Seconds a 503 asks clients to wait before trying again.
RETRY_AFTER = 5


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


def _render_error(
    code: int, detail: str | None = None, fields: dict | None = None, *, outage: bool = False
) -> Response:
    """The error page (or JSON) for ``code``: ``detail`` (a lazy string is translated here)
    instead of the code's usual message; in the site's layout unless the database is down
    (``outage``) or the layout fails."""
    if not outage and not wants_json():
        try:
            title, message = _texts(code, detail)
            page = render_template("errors/error.html", code=code, title=title, message=message)
            return Response(page, status=code, mimetype="text/html")
        except Exception:  # noqa: BLE001 (the layout needs the database; say the error anyway)
            log.exception("The error page's layout failed; answering with the plain page")
    locale = request_locale()
    with force_locale(locale):
        title, message = _texts(code, detail)
        if wants_json():
            error = {"code": code, "title": title, "message": message}
            if fields:
                error["fields"] = fields
            response = jsonify(error=error)
        else:
            page = current_app.jinja_env.get_template("errors/outage.html").render(
                code=code, title=title, message=message, html_lang=html_lang(locale)
            )
            response = Response(page, mimetype="text/html")
    response.status_code = code
    return response


def _texts(code: int, detail: str | None) -> tuple[str, str]:
    title, message = ERROR_TEXT.get(code) or ERROR_TEXT[400 if code < 500 else 500]
    return str(title), str(detail or (code == 413 and _too_large()) or message)


def register_error_handlers(app: Flask) -> None:
    """Render HTTP errors as their own page, or as JSON for API paths and scripts; a database
    that cannot be reached as 503."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        msg = _l("Your form expired or was sent from elsewhere. Reload the page and try again.")
        return _render_error(400, msg)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            return _render_error(429)
        if code == 503:
            return _render_error(503)
        if code >= 500:
            return _render_error(500)
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

    def database_down(error: Exception) -> Response:
        # The request's transaction is lost; the session is thrown away when the request
        # ends, and the pool (pool_pre_ping) replaces dead connections, so the next request
        # works again as soon as the database does.
        log.error("Database unavailable: %s", error, exc_info=error)
        response = _render_error(503, outage=True)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    for error_class in DATABASE_DOWN:
        app.register_error_handler(error_class, database_down)
