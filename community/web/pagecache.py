"""Whole pages kept for anonymous visitors (Flask-Caching: in the process, or in Redis when
``CACHE_REDIS_URL`` is set), for ``PAGE_CACHE_SECONDS``.

A page is kept and served only when nobody is signed in and no message waits to be flashed,
keyed by its address (path and query), the reader's language and a generation that every
signal of ``community.signals`` moves on after its commit: any change drops every kept page
at once. A page is kept only when the view answered 200 and, for a space's page, only when the
space is public. The page's CSRF token is the visitor's own: it is kept as a marker and each
visitor gets their own token (and session cookie) in its place.

When the cache's Redis does not answer, pages are rendered as if nothing were kept (logged),
and the cache is left alone for ``RETRY_SECONDS`` before it is tried again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from community import signals
from community.extensions import cache

GENERATION = "page:generation"
RETRY_SECONDS = 5.0
log = logging.getLogger(__name__)

#: Where a kept page had its visitor's CSRF token; never in a page's own text (NUL characters
#: are refused at the edge, community/web/inputs.py).
CSRF_MARKER = "\x00csrf-token\x00"


def register_page_cache(app: Flask) -> None:
    """Bind the cache to ``app`` and drop the kept pages whenever anything changes."""
    redis_url = app.config["CACHE_REDIS_URL"]
    config = {
        "CACHE_TYPE": "SimpleCache",
        "CACHE_KEY_PREFIX": "cocreate:",
        "CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_SECONDS"],
    }
    if redis_url:
        # A Redis that does not answer costs a request a second at most, then is left alone.
        options = {"socket_connect_timeout": 1, "socket_timeout": 1}
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url, CACHE_OPTIONS=options)
    cache.init_app(app, config=config)
    app.extensions["page_cache"] = {"down_until": 0.0}
    signals.connect_to_every_signal(_drop_kept_pages)


def _enabled() -> bool:
    """Pages are kept (``PAGE_CACHE_SECONDS``) and the cache was not found down just now."""
    state = current_app.extensions["page_cache"]
    return bool(current_app.config["PAGE_CACHE_SECONDS"]) and state["down_until"] < time.monotonic()


def _cache(method: str, *args, **kwargs):
    """``cache.<method>(…)``, or None when the cache's backend fails (then left alone for
    ``RETRY_SECONDS``): a page never fails because its cache does."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as error:  # redis's errors; the package is optional (the scale extra)
        log.warning("Page cache unreachable, pages are rendered afresh: %s", error)
        current_app.extensions["page_cache"]["down_until"] = time.monotonic() + RETRY_SECONDS
        return None


@signals.after_commit
def _drop_kept_pages(sender, **kwargs) -> None:
    """Something changed: move the generation on, so no page kept before is served again."""
    if _enabled():
        _new_generation()


def _new_generation() -> str:
    """A generation never used before: a counter would start again from 0 if the cache lost
    it (SimpleCache prunes, Redis may be flushed) and serve pages kept under an old one."""
    generation = secrets.token_hex(8)
    _cache("set", GENERATION, generation, timeout=0)
    return generation


def _key() -> str | None:
    """The kept page's key for this request, or None when this visitor must not get one."""
    if not _enabled() or request.method != "GET" or "_flashes" in session:
        return None
    if current_user.is_authenticated:
        return None
    generation = _cache("get", GENERATION)
    if not _enabled():  # the cache failed just now
        return None
    generation = generation or _new_generation()
    address = hashlib.sha256(request.url.encode()).hexdigest()  # bounded, whatever the query
    return f"page:{generation}:{get_locale()}:{address}"


def anonymous_page(keep_if: Callable[..., bool] = lambda **kwargs: True):
    """Keep the view's page for anonymous visitors; ``keep_if(**view_args)`` says whether a
    page the view answered 200 may be kept (a space's page: only when the space is public)."""

    def decorate(view):
        @functools.wraps(view)
        def kept(**view_args):
            key = _key()
            if key is None:
                return view(**view_args)
            page = _cache("get", key)
            if page is not None:
                return make_response(page.replace(CSRF_MARKER, generate_csrf()))
            response = make_response(view(**view_args))
            if _may_keep(response) and keep_if(**view_args):
                _cache("set", key, _with_marker(response.get_data(as_text=True)))
            return response

        return kept

    return decorate


def _may_keep(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "_flashes" not in session
    )


def _with_marker(page: str) -> str:
    token = g.get("csrf_token")
    return page.replace(token, CSRF_MARKER) if token else page
