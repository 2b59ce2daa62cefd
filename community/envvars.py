"""How one environment variable becomes a setting: ``Setting`` (its name, meaning and
``app.config`` key) and the parsers that turn its text into a value or refuse it with a
reason. community/config.py declares the settings with these; nothing here knows one."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from limits import parse as parse_rate

TEN_YEARS_DAYS = 3650  # the longest duration a setting accepts: dates stay far from year 1


@dataclass(frozen=True)
class Setting:
    """One setting an operator may change from the environment."""

    name: str  #: the environment variable
    parse: Callable[[str], Any]  #: its text to a value; ValueError says what is wrong
    meaning: str  #: one line of Markdown for docs/configuration.md
    key: str | None = None  #: the ``app.config`` key, when it is not ``name``
    default: str | None = None  #: the default as shown, when ``Config`` holds none to show
    early: bool = False  #: read before the app exists (it picks the class or the folder)

    @property
    def config_key(self) -> str:
        return self.key or self.name

    def read(self, environ: Mapping[str, str]) -> Any:
        """The value ``environ`` gives, or None when it is unset or empty; a value the
        setting cannot take stops the app with a message naming the variable."""
        raw = environ.get(self.name, "")
        if not raw:
            return None
        try:
            raw.encode("utf-8")
            return self.parse(raw)
        except (UnicodeEncodeError, ValueError) as problem:
            reason = "not valid UTF-8" if isinstance(problem, UnicodeEncodeError) else problem
            raise RuntimeError(f"{self.name}={raw!r}: {reason}.") from None


def text(raw: str) -> str:
    """Any text, as given."""
    return raw


def whole(minimum: int = 0, maximum: int | None = None) -> Callable[[str], int]:
    """A whole number from ``minimum`` to ``maximum``."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("not a whole number") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def number(maximum: float) -> Callable[[str], float]:
    """A number from 0 to ``maximum`` (fractions allowed)."""

    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value) or not 0 <= value <= maximum:
            raise ValueError(f"must be from 0 to {maximum:g}")
        return value

    return parse


def flag(raw: str) -> bool:
    """true/false, yes/no, on/off or 1/0."""
    word = raw.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    raise ValueError("use true or false")


def choice(values: Callable[[], Mapping[str, Any]], fold: Callable[[str], str]):
    """One of ``values()``' keys (after ``fold``), giving its value."""

    def parse(raw: str) -> Any:
        options = values()
        word = fold(raw.strip())
        if word not in options:
            raise ValueError(f"not one of: {', '.join(sorted(options))}")
        return options[word]

    return parse


def rate(raw: str) -> str:
    """A rate limit such as ``10 per minute`` or ``5 per 15 minutes``."""
    parse_rate(raw)
    return raw.strip()


def database_url(raw: str) -> str:
    """A database URL; PostgreSQL ones are given to psycopg 3."""
    for scheme in ("postgres://", "postgresql://"):
        if raw.startswith(scheme):
            return "postgresql+psycopg://" + raw[len(scheme) :]
    return raw


def site_url(raw: str) -> str:
    """The site's public address: an http(s) URL with a host and perhaps a path (where the
    site is mounted), no query or fragment; without a trailing slash."""
    if any(ord(c) < 33 or ord(c) == 127 for c in raw):
        raise ValueError("an http:// or https:// address without spaces or control characters")
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError("the port is not a number from 0 to 65535") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// address such as https://cocreate.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("no query, fragment or user name: the site's address only")
    return raw.rstrip("/")


def origins(raw: str) -> list[str]:
    """Comma-separated web origins."""
    return [origin.strip() for origin in raw.split(",") if origin.strip()]


def hashing(raw: str) -> dict[str, int]:
    """Argon2 parameters as a JSON object (``time_cost``, ``memory_cost`` in KiB,
    ``parallelism``)."""
    try:
        params = json.loads(raw)
    except ValueError:
        raise ValueError("not a JSON object") from None
    names = {"time_cost", "memory_cost", "parallelism"}
    if not isinstance(params, dict) or not params.keys() <= names:
        raise ValueError(f"a JSON object with some of: {', '.join(sorted(names))}")
    if not all(type(v) is int and 1 <= v <= 2**24 for v in params.values()):
        raise ValueError("each parameter is a whole number from 1 to 16777216")
    if params.get("memory_cost", 65536) < 8 * params.get("parallelism", 4):
        raise ValueError("memory_cost must be at least 8 times parallelism")
    return params


def shown_default(setting: Setting, defaults: type) -> str:
    """The default of ``setting`` as docs/configuration.md shows it (``defaults``: the base
    configuration class)."""
    if setting.default is not None:
        return setting.default
    value = getattr(defaults, setting.config_key)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, dict):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def settings_markdown(sections: Sequence[tuple[str, Sequence[Setting]]], defaults: type) -> str:
    """The declared ``sections`` of settings as the Markdown tables of docs/configuration.md."""
    lines: list[str] = []
    for title, group in sections:
        lines += [f"### {title}", "", "| variable | default | meaning |", "|---|---|---|"]
        lines += [f"| `{s.name}` | {shown_default(s, defaults)} | {s.meaning} |" for s in group]
        lines.append("")
    return "\n".join(lines)
