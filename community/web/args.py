"""Arguments from query strings, API bodies and socket payloads, parsed and bounded in one place.

Every view reads its query string through a marshmallow schema built from these fields
(:func:`parse`: a 400 that names each bad argument), the JSON API's flask-smorest arguments
use the same fields (webargs answers 422), and socket payloads too (``community.web.live``). So a
page number, an id, a date or a choice means the same everywhere, and nothing outside the
database's range reaches a query: whole numbers stay within 32 bits (as ``RowIdConverter``
does for route ids), dates within ``FIRST_DAY``–``LAST_DAY``, a date range starts before it
ends (:func:`check_range`: refused, never swapped or half-ignored). An empty value means the
argument was not given, as HTML forms send it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import marshmallow as ma
from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.database import ID_MAX

PAGE_MAX = 10_000
PER_PAGE = 20
PER_PAGE_MAX = 100
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)


class _Explained:
    """A field whose every failure says ``message`` when one is given (socket events keep
    their own wording), else the field's own translated explanation."""

    def __init__(self, *, message: Any = None, **kwargs: Any) -> None:
        if message is not None:
            kwargs["error_messages"] = dict.fromkeys(("required", "null", "invalid"), message)
        super().__init__(**kwargs)
        self.message = message

    def deserialize(self, value: Any, attr: Any = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str) and value == "" and not self.required:
            value = ma.missing  # an empty form field: not given
        return super().deserialize(value, attr, data, **kwargs)

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        message = self.error_messages.get(key)
        if message is not None and not isinstance(message, str):  # a lazy translation
            return ma.ValidationError(str(message))
        return super().make_error(key, **kwargs)

    def fail(self, default: str) -> ma.ValidationError:
        return ma.ValidationError(str(self.message) if self.message is not None else default)


class Whole(_Explained, ma.fields.Integer):
    """A whole number from ``minimum`` to ``maximum``: a JSON integer or, unless ``strict``,
    decimal digits in text. Never a boolean or a fraction."""

    def __init__(self, minimum: int, maximum: int, *, strict: bool = False, **kwargs: Any):
        metadata = {"minimum": minimum, "maximum": maximum, **kwargs.pop("metadata", {})}
        super().__init__(strict=strict, metadata=metadata, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not self.strict:
            text = value.strip()
            digits = text[1:] if text[:1] in "+-" else text
            if digits.isascii() and digits.isdigit():
                # Past 12 digits it is out of range anyway (None: far too big).
                value = int(text) if len(digits) <= 12 else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(_("Enter a whole number."))
        if value is None or not self.minimum <= value <= self.maximum:
            raise self.fail(
                _(
                    "Enter a whole number from %(low)s to %(high)s.",
                    low=self.minimum,
                    high=self.maximum,
                )
            )
        return value


def Id(**kwargs: Any) -> Whole:  # noqa: N802 - reads as a field type
    """A row id: what fits the database's INTEGER columns."""
    return Whole(1, ID_MAX, **kwargs)


def Page() -> Whole:  # noqa: N802
    return Whole(1, PAGE_MAX, load_default=1)


def PerPage(default: int = PER_PAGE) -> Whole:  # noqa: N802
    return Whole(1, PER_PAGE_MAX, load_default=default)


class Day(_Explained, ma.fields.Date):
    """A calendar day, ``YYYY-MM-DD``, from ``FIRST_DAY`` to ``LAST_DAY``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise self.fail(_("Enter a date as YYYY-MM-DD."))
        if not FIRST_DAY <= day <= LAST_DAY:
            raise self.fail(
                _("Choose a date from %(first)s to %(last)s.", first=FIRST_DAY, last=LAST_DAY)
            )
        return day


class Month(_Explained, ma.fields.String):
    """A calendar month, ``YYYY-MM``, within ``FIRST_DAY``–``LAST_DAY``: its first day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", None)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        try:
            first = date.fromisoformat(f"{value}-01") if isinstance(value, str) else None
        except ValueError:
            first = None
        if first is None or len(value) != 7:
            raise self.fail(_("Enter a month as YYYY-MM."))
        if not FIRST_DAY <= first <= LAST_DAY:
            raise self.fail(
                _("Choose a month from %(first)s to %(last)s.", first=FIRST_DAY, last=LAST_DAY)
            )
        return first


class Choice(_Explained, ma.fields.String):
    """One of ``choices`` (text; an empty choice means "not given"), or of what ``choices()``
    returns when they depend on the app's configuration."""

    def __init__(self, choices: Iterable[str] | Callable[[], Iterable[str]], **kwargs: Any):
        self._choices = choices if callable(choices) else [c for c in choices if c]
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", "")
        if not callable(choices):
            kwargs["metadata"] = {"enum": self._choices, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    @property
    def choices(self) -> list[str]:
        if callable(self._choices):
            return [c for c in self._choices() if c]
        return self._choices

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        choices = self.choices
        if not isinstance(value, str) or value not in choices:
            raise self.fail(_("Choose one of: %(choices)s.", choices=", ".join(choices)))
        return value


class Text(_Explained, ma.fields.String):
    """Text of at most ``max_length`` characters (``too_long``: what to say when it is not).
    ``cut``: longer text is cut to that length instead, for words typed into a search box."""

    def __init__(
        self, max_length: int, *, too_long: Any = None, cut: bool = False, **kwargs: Any
    ) -> None:
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", "")
        kwargs["metadata"] = {"maxLength": max_length, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length, self.too_long, self.cut = max_length, too_long, cut

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(_("Enter text."))
        if self.cut:
            return value[: self.max_length]
        if len(value) > self.max_length:
            if self.too_long is not None:
                raise ma.ValidationError(str(self.too_long))
            raise self.fail(_("At most %(count)d characters.", count=self.max_length))
        return value


class Flag(_Explained, ma.fields.Boolean):
    """Yes or no: a JSON boolean, or unless ``strict`` ``1``/``0`` (``true``/``false``) in text."""

    TEXT = {"1": True, "true": True, "0": False, "false": False}

    def __init__(self, *, strict: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", False)
        super().__init__(**kwargs)
        self.strict = strict

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and not self.strict and value.lower() in self.TEXT:
            return self.TEXT[value.lower()]
        raise self.fail(_("Enter 1 or 0."))


def check_range(data: dict, low: str, high: str, message: Any) -> None:
    """Refuse ``data`` when ``data[low]`` is after ``data[high]`` (both given), naming ``low``."""
    start, end = data.get(low), data.get(high)
    if start is not None and end is not None and start > end:
        raise ma.ValidationError(str(message), low)


RANGE_REVERSED = _l("The first date is after the last.")


class Args(ma.Schema):
    """Query arguments: unknown ones are ignored (links carry other pages' arguments)."""

    class Meta:
        unknown = ma.EXCLUDE


class PageArgs(Args):
    page = Page()


def describe(schema: ma.Schema, messages: dict) -> list[str]:
    """marshmallow's errors as one line per argument: ``"page: Enter a whole number."``, named
    by the field's ``label`` (metadata) where a form shows it under one."""
    lines = []
    for name, problems in messages.items():
        if isinstance(problems, dict):
            problems = [p for nested in problems.values() for p in nested]
        field = schema.fields.get(name)
        label = field.metadata.get("label", name) if field is not None else name
        lines.append(_("%(name)s: %(problem)s", name=label, problem=" ".join(map(str, problems))))
    return lines


def load(schema: ma.Schema, values: Any = None) -> tuple[dict | None, list[str]]:
    """``values`` (the query string by default) loaded by ``schema``: the arguments, or None
    and what was wrong with them."""
    source = request.args if values is None else values
    try:
        return schema.load(dict(source.items())), []
    except ma.ValidationError as error:
        return None, describe(schema, error.messages)


def parse(schema: ma.Schema, values: Any = None) -> dict:
    """Like :func:`load`, but bad arguments are a 400 that names them."""
    loaded, problems = load(schema, values)
    if loaded is None:
        abort(400, " ".join(problems))
    return loaded


def page_number() -> int:
    """The ``page`` query argument, for views that take no other."""
    return parse(PageArgs())["page"]
