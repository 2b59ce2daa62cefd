"""What arrives from outside, checked once at the edge, before any view or socket handler.

Text may not carry NUL characters (PostgreSQL refuses them, SQLite stores them: refusing them
here makes both databases behave alike) or unpaired surrogates (no encoder writes them, so
they break the page or the database driver long after the request was accepted). JSON must
parse, have finite numbers and nest at most ``MAX_DEPTH`` levels. Every request passes
:func:`check_request` (a 400 names what was wrong); only the blueprints that declare it with
:func:`accept_json` take JSON bodies, so forms never read JSON (Flask-WTF would otherwise turn
a JSON body into form data of any type). Socket events pass :func:`check_value` in
``community/web/live.py``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Blueprint, Flask, abort, request
from flask_babel import lazy_gettext as _l

#: Deepest JSON nesting accepted: the API's and the sockets' payloads are two or three levels.
MAX_DEPTH = 20

_SURROGATE = re.compile("[\ud800-\udfff]")
_json_blueprints: set[str] = set()


class BadInput(ValueError):
    """Input no view should see; ``message`` says what was wrong, for the person who sent it."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def text_problem(text: str) -> Any:
    """Why ``text`` cannot be accepted (a lazy message), or None when it can."""
    if "\x00" in text:
        return _l("Text may not contain NUL characters.")
    if _SURROGATE.search(text):
        return _l("Text may not contain unpaired surrogates (broken characters).")
    return None


def check_text(text: str, name: str | None = None) -> str:
    """``text`` itself, or :class:`BadInput` naming the field ``name``."""
    problem = text_problem(text)
    if problem is None:
        return text
    if name:
        raise BadInput(_l("%(name)s: %(problem)s", name=name[:40], problem=problem))
    raise BadInput(problem)


def check_value(value: Any) -> Any:
    """``value`` (decoded JSON) itself, or :class:`BadInput` if it nests deeper than
    ``MAX_DEPTH``, holds bad text (keys too) or a number that is not finite."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise BadInput(_l("The data is nested too deeply."))
            if isinstance(item, dict):
                for key in item:
                    if isinstance(key, str):
                        check_text(key)
                children = item.values()
            else:
                children = item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise BadInput(_l("Numbers must be finite."))
    return value


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _refuse_constant(text: str) -> float:
    raise ValueError(text)


def loads(text: str | bytes) -> Any:
    """Decode JSON from outside, or raise :class:`BadInput`."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # RecursionError: nesting past the parser's limit
        raise BadInput(_l("That is not valid JSON.")) from None
    return check_value(value)


def accept_json(blueprint: Blueprint) -> Blueprint:
    """Let ``blueprint``'s views take JSON request bodies (checked by :func:`loads`)."""
    _json_blueprints.add(blueprint.name)
    return blueprint


def check_request() -> None:
    """Refuse a request whose address, query string, form or JSON body carries what no view
    should see (``before_request``, so it runs before every view)."""
    try:
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str):
                check_text(value, name)
        for source in (request.args, request.form):
            for name, values in source.lists():
                check_text(name)
                for value in values:
                    check_text(value, name)
        if request.is_json and request.get_data(cache=True):
            if request.blueprint not in _json_blueprints:
                abort(415, str(_l("This address takes forms, not JSON.")))
            loads(request.get_data(cache=True))
    except BadInput as error:
        abort(400, str(error.message))


def register_input_checks(app: Flask) -> None:
    """Check every request at the edge."""
    app.before_request(check_request)
