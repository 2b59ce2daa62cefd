"""What an operator may set from the environment, and how each variable becomes a setting:
``Setting`` (its name, meaning and ``app.config`` key), the parsers that turn its text into a
value or refuse it with a reason (so a typo stops the app at start rather than misbehaving
later), and ``SECTIONS``, the one declaration of every setting, grouped as
docs/configuration.md shows them (``settings_markdown``; tests/core/test_config_docs.py keeps
them equal). ``read_environment`` turns an environment into ``app.config`` values; the
defaults are community/config.py's classes. The environment is read through these
declarations and nowhere else. Flask's ``from_prefixed_env`` is not used: it would rename every
variable operators already set (``SECRET_KEY``, ``DATABASE_URL`` …) to ``COCREATE_…`` and takes
any JSON value unchecked."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from limits import parse as parse_rate

from community.database import SQLITE_SYNCHRONOUS
from community.logs import FORMATS, LEVELS

TEN_YEARS_DAYS = 3650  # the longest duration a setting accepts: dates stay far from year 1
#: The configurations ``COCREATE_ENV`` may name (community/config.py's classes, by these names).
ENVIRONMENTS = ("development", "testing", "production")


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


SECTIONS: tuple[tuple[str, tuple[Setting, ...]], ...] = (
    (
        "The site",
        (
            Setting(
                "COCREATE_ENV",
                choice(lambda: {name: name for name in ENVIRONMENTS}, str.lower),
                "`development`, `testing` or `production`: the defaults everything else starts"
                " from",
                default="`development`",
                early=True,
            ),
            Setting(
                "SECRET_KEY",
                text,
                "signs sessions and tokens; **required** in production (the app refuses to"
                " start without it)",
                default="fixed in development",
            ),
            Setting(
                "COCREATE_INSTANCE",
                text,
                "folder for the SQLite database and the search index",
                default="`./instance`",
                early=True,
            ),
            Setting(
                "DATABASE_URL",
                database_url,
                "e.g. `postgresql://user:pass@host/cocreate` (psycopg 3 is used)",
                key="SQLALCHEMY_DATABASE_URI",
                default="`sqlite:///<instance>/cocreate.db`",
            ),
            Setting(
                "SQLITE_SYNCHRONOUS",
                choice(lambda: {v: v for v in SQLITE_SYNCHRONOUS}, str.upper),
                "how hard SQLite makes sure a commit reached the disk: `FULL` (every commit"
                " survives a power cut), `NORMAL` or `OFF`",
            ),
            Setting(
                "SEARCH_INDEX_DIR",
                text,
                "where the search index lives (one per host; several processes share it)",
                default="`<instance>/search`",
            ),
            Setting(
                "LOG_LEVEL",
                choice(lambda: {v: v for v in LEVELS}, str.upper),
                "`DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`",
            ),
            Setting(
                "LOG_FORMAT",
                choice(lambda: {v: v for v in FORMATS}, str.lower),
                "`text` lines, or `json` (one object per line) for a log collector; every line"
                " names its request id (see docs/operating.md)",
            ),
            Setting("HOST", text, "the address `make run` / `flask serve` listen on"),
            Setting("PORT", whole(1, 65535), "the port `make run` / `flask serve` listen on"),
            Setting(
                "SITE_URL",
                site_url,
                "the site's public `http(s)://` address, for every link built outside a request"
                " (mail from digests and expert routing); `make run` sets it from `HOST` and"
                " `PORT`",
            ),
            Setting(
                "TRUSTED_PROXIES",
                whole(0, 10),
                "number of reverse proxies in front of the app whose `X-Forwarded-*` headers"
                " are trusted (client address for rate limits, https for HSTS)",
            ),
            Setting(
                "MAX_CONTENT_LENGTH",
                whole(1),
                "the largest request body accepted, in bytes (1 MB); bigger ones get a 413",
            ),
        ),
    ),
    (
        "Backups",
        (
            Setting(
                "BACKUP_DIR",
                text,
                'where `flask backup`, the daily backup and the admin page\'s "Back up now"'
                " write their archives",
                default="`<instance>/backups`",
            ),
            Setting(
                "BACKUP_KEEP",
                whole(1, 10000),
                "how many backups are kept: after each backup the oldest beyond are deleted",
            ),
            Setting("BACKUP_DAILY", flag, "whether the job engine makes a backup every day"),
            Setting("BACKUP_HOUR", whole(0, 23), "the hour (UTC) of the daily backup"),
            Setting(
                "PG_DUMP",
                text,
                "the path of `pg_dump` (`pg_restore` beside it) when they are not on `PATH`"
                " (PostgreSQL only)",
            ),
        ),
    ),
    (
        "Mail",
        (
            Setting(
                "MAIL_SERVER", text, "SMTP host; when unset, mail is written to the log instead"
            ),
            Setting("MAIL_PORT", whole(1, 65535), "SMTP port"),
            Setting("MAIL_USE_TLS", flag, "whether to use STARTTLS"),
            Setting("MAIL_USERNAME", text, "SMTP user name"),
            Setting("MAIL_PASSWORD", text, "SMTP password"),
            Setting("MAIL_DEFAULT_SENDER", text, "the From address"),
            Setting(
                "DIGEST_INTERVAL_HOURS",
                number(TEN_YEARS_DAYS * 24),
                "how often the notification digest is mailed, as a periodic job; `0` turns it"
                " off (use `flask notifications digest` from cron)",
            ),
        ),
    ),
    (
        "Accounts",
        (
            Setting(
                "SIGNUP_CONFIRM_MAX_AGE",
                whole(3600, TEN_YEARS_DAYS * 86400),
                "how long a sign-up link works, in seconds (shown to people in whole hours)",
            ),
            Setting(
                "PASSWORD_RESET_MAX_AGE",
                whole(60, TEN_YEARS_DAYS * 86400),
                "how long a password reset link works, in seconds",
            ),
            Setting(
                "SESSION_MAX_IDLE",
                whole(60, TEN_YEARS_DAYS * 86400),
                "a signed-in session unused this many seconds has ended",
            ),
            Setting(
                "PASSWORD_HASHING",
                hashing,
                "Argon2id cost as JSON (about 0.1 s of one core per hash by default); each"
                " account's hash is redone with new values at its next sign-in",
            ),
        ),
    ),
    (
        "Rate limits",
        (
            Setting(
                "RATELIMIT_STORAGE_URI",
                text,
                "where the budgets below are counted: in the process by default;"
                " `redis://localhost:6379/0` shares them between several workers",
            ),
            Setting("LOGIN_LIMIT_PER_IP", rate, "sign-in attempts per address"),
            Setting(
                "LOGIN_LIMIT_PER_ACCOUNT",
                rate,
                "sign-in attempts per account, whichever username or e-mail spelling names it",
            ),
            Setting("REGISTER_LIMIT_PER_IP", rate, "sign-ups per address"),
            Setting("RESET_LIMIT_PER_IP", rate, "password reset requests per address"),
            Setting(
                "POST_LIMIT",
                rate,
                "threads, replies and ideas per person",
            ),
            Setting(
                "VOTE_LIMIT",
                rate,
                "idea votes and unvotes per person, on the pages and through the API",
            ),
            Setting("FLAG_LIMIT", rate, "flags per person, on the pages and on live boards"),
            Setting(
                "BRAINSTORM_NOTE_LIMIT", rate, "notes added or edited per person on live boards"
            ),
            Setting(
                "BRAINSTORM_DOT_LIMIT", rate, "dots placed or taken back per person on live boards"
            ),
            Setting(
                "API_LIMIT",
                rate,
                "API calls per person (all their tokens and their session together), else per"
                " address (wrong tokens included)",
            ),
        ),
    ),
    (
        "Moderation",
        (
            Setting(
                "FLAG_HIDE_THRESHOLD",
                whole(1),
                "flags from this many members hide an item until a moderator reviews it",
            ),
            Setting(
                "NEW_ACCOUNT_LIMITS",
                flag,
                "whether new accounts are held to the limits below (moderators never are)",
            ),
            Setting(
                "NEW_ACCOUNT_DAYS",
                whole(0, TEN_YEARS_DAYS),
                "an account is new while it is younger than this many days …",
            ),
            Setting(
                "NEW_ACCOUNT_POSTS",
                whole(0),
                "… or has fewer than this many posts (threads and replies, not deleted)",
            ),
            Setting("NEW_ACCOUNT_MAX_LINKS", whole(0), "links a new account may put in a post"),
            Setting(
                "NEW_ACCOUNT_MAX_MENTIONS", whole(0), "mentions a new account may put in a post"
            ),
            Setting("NEW_ACCOUNT_POSTS_PER_DAY", whole(0), "posts a new account may write a day"),
        ),
    ),
    (
        "Experts",
        (
            Setting(
                "EXPERT_ROUTING_DELAY_HOURS",
                number(TEN_YEARS_DAYS * 24),
                "a question with no answer this long is routed to experts",
            ),
            Setting(
                "EXPERT_ESCALATION_HOURS",
                number(TEN_YEARS_DAYS * 24),
                "a routed question unclaimed and unanswered this long after routing goes to"
                " the space's moderators and owners",
            ),
            Setting(
                "EXPERT_ROUTING_INTERVAL_MINUTES",
                number(TEN_YEARS_DAYS * 24 * 60),
                "how often questions are routed, as a periodic job (`make run` / `flask serve`,"
                " or `flask jobs worker` with Redis); `0` turns it off (use"
                " `flask experts route` from cron)",
            ),
        ),
    ),
    (
        "Several processes",
        (
            Setting(
                "SOCKETIO_MESSAGE_QUEUE",
                text,
                "e.g. `redis://localhost:6379/1` so several processes share live updates",
            ),
            Setting(
                "JOBS_REDIS_URL",
                text,
                "e.g. `redis://localhost:6379/2`: background jobs (mail, digests, expert"
                " routing) go to this Redis and `flask jobs worker` runs them; unset, they run"
                " in the web process",
            ),
            Setting(
                "JOBS_THREADS",
                whole(1, 64),
                "threads that run background jobs in the web process when `JOBS_REDIS_URL` is"
                " unset",
            ),
            Setting(
                "PAGE_CACHE_SECONDS",
                whole(0, 3600),
                "how long the front page, the space list and public spaces' thread and idea"
                " lists are kept for anonymous visitors (0: never); any change drops them at"
                " once",
            ),
            Setting(
                "CACHE_REDIS_URL",
                text,
                "e.g. `redis://localhost:6379/3`: the pages kept for anonymous visitors are"
                " shared by every process through this Redis; unset, each process keeps its own",
            ),
            Setting(
                "SOCKETIO_ALLOWED_ORIGINS",
                origins,
                "comma-separated origins allowed to open sockets",
                default="same origin",
            ),
        ),
    ),
)
SETTINGS: dict[str, Setting] = {s.name: s for _, group in SECTIONS for s in group}


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Every setting ``environ`` gives, keyed as in ``app.config``."""
    values = {
        setting.config_key: value
        for setting in SETTINGS.values()
        if not setting.early and (value := setting.read(environ)) is not None
    }
    if "MAIL_SERVER" in values:
        values["MAIL_BACKEND"] = "smtp"
    if "MAX_CONTENT_LENGTH" in values:  # a multipart form's text may fill the whole body
        values["MAX_FORM_MEMORY_SIZE"] = values["MAX_CONTENT_LENGTH"]
    return values
