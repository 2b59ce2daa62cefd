"""Security headers and safe redirects shared by every page."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: Characters a redirect target may not hold: controls (browsers drop tab, CR and LF inside
#: URLs, and a header cannot carry them), format characters, lone surrogates, unassigned and
#: private-use code points, and line or paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
NEXT_MAX = 2000


def _has_unsafe_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in text)


def is_safe_next(target: str | None) -> bool:
    """True only for a same-site path such as ``/spaces?page=2``: the one check for every
    redirect to a target the request supplied (``next=``, a form's ``next`` field, the
    referrer through :func:`safe_referrer`).

    Browsers read ``//host``, ``/\\host`` and ``/<tab>/host`` as another host, so the path is
    judged as written and again with its percent-escapes decoded (until nothing changes):
    ``/%2F/host``, ``/%5Chost`` and double-encoded forms are refused too. Anything that could
    name another host or scheme is refused rather than parsed.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > NEXT_MAX:
        return False
    if "\\" in target or _has_unsafe_characters(target):
        return False
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _round in range(4):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    else:
        return False  # still changing after four rounds: nothing legitimate is encoded so
    if path.startswith("//") or "\\" in path or _has_unsafe_characters(path):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a safe same-site path, otherwise ``default``."""
    return target if is_safe_next(target) else default


def safe_referrer(default: str) -> str:
    """The page the request came from, as a same-site path (checked like ``next=``), or
    ``default`` when it came from elsewhere or sent no referrer."""
    try:
        came_from = urlsplit(request.referrer or "")
        here = urlsplit(request.host_url)
    except ValueError:  # e.g. a malformed IPv6 host
        return default
    if (came_from.scheme, came_from.netloc) != (here.scheme, here.netloc):
        return default
    path = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return safe_next(path, default)


def register_body_limit(app: Flask) -> None:
    """Answer a body announced larger than ``MAX_CONTENT_LENGTH`` with 413 before anything
    else runs, whether or not the view would read it (Werkzeug stops bodies without a length
    at the limit as they are read)."""

    @app.before_request
    def refuse_oversize_body() -> None:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)


def register_security_headers(app: Flask) -> None:
    """Add the Content-Security-Policy and the other hardening headers to every response."""

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE") and request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
