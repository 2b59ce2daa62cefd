"""The configuration: the classes that hold every setting's default, and which of them the
environment chose.

``create_app`` starts from a class's defaults, lays over them every setting the environment
gives (``Config.environment``: the declarations of community/envvars.py, read in one loop
by ``read_environment``), then applies the caller's overrides; code reads each setting from
``app.config`` where it uses it. What an operator may set, and what it means, is declared
once, in community/envvars.py; the defaults are here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from community.database import server_engine_options
from community.envvars import ENVIRONMENTS, SETTINGS, read_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Settings shared by every environment."""

    NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    #: Filled in by ``init_app`` for a database server (``server_engine_options``).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    #: How hard SQLite makes sure a commit reached the disk: FULL (every commit survives a
    #: power cut), NORMAL or OFF.
    SQLITE_SYNCHRONOUS = "FULL"
    DEMO_DATA_ALLOWED = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    # A signed-in session (community/accounts/sessions.py) unused for this long has ended.
    SESSION_MAX_IDLE = 60 * 60 * 24 * 30

    # The largest request body (bytes) accepted; bigger ones get a 413. Above any legitimate
    # form or API body: a post may hold 50,000 characters, 600 KB once form-encoded if they
    # are all emoji. A multipart form's text field may fill it too (Werkzeug's default stops
    # each at 500 KB).
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH

    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}

    RATELIMIT_STORAGE_URI = "cocreate-memory://"  # community/ratelimit.py; Redis to scale out
    RATELIMIT_HEADERS_ENABLED = True
    # While that store (Redis) is unreachable, count in the process instead of failing writes.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_ENABLED = True
    LOGIN_LIMIT_PER_IP = "20 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"
    REGISTER_LIMIT_PER_IP = "10 per hour"
    RESET_LIMIT_PER_IP = "5 per 15 minutes"
    # One budget per signed-in person (per address when anonymous), shared by the pages, the API
    # and Socket.IO (community/ratelimit.py).
    POST_LIMIT = "10 per minute"  # threads, replies and ideas
    VOTE_LIMIT = "60 per minute"
    FLAG_LIMIT = "20 per hour"
    BRAINSTORM_NOTE_LIMIT = "60 per minute"  # note adds and edits on live boards
    BRAINSTORM_DOT_LIMIT = "120 per minute"

    # Moderation (community/moderation): flags from this many members hide an item.
    FLAG_HIDE_THRESHOLD = 3
    # New accounts graduate once both hold: this old, and this many posts (threads, replies).
    NEW_ACCOUNT_LIMITS = True
    NEW_ACCOUNT_DAYS = 2
    NEW_ACCOUNT_POSTS = 3
    NEW_ACCOUNT_MAX_LINKS = 2  # per post
    NEW_ACCOUNT_MAX_MENTIONS = 3  # per post
    NEW_ACCOUNT_POSTS_PER_DAY = 10

    # The JSON API (community/api), all of it: per person (all their tokens and their session
    # together), else per address (wrong tokens included).
    API_LIMIT = "120 per minute"
    API_TITLE = "Cocreate API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Each process refreshes its brainstorm board connections, so that a crashed process's
    # stop counting as present (community/brainstorms/events.py).
    BRAINSTORM_HEARTBEAT = True

    MAIL_BACKEND = "log"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "Cocreate <no-reply@cocreate.local>"
    #: The site's address, for links built outside a request (digests, expert routing).
    SITE_URL = "http://localhost:5000"
    PASSWORD_RESET_MAX_AGE = 60 * 60
    SIGNUP_CONFIRM_MAX_AGE = 24 * 60 * 60  # how long a sign-up link works (seconds)
    # Argon2id cost (argon2-cffi's defaults, RFC 9106's second recommendation): about 0.1 s
    # of one core per hash. Hashes keep their own parameters, so changing these only makes
    # each account's hash be redone at its next sign-in.
    PASSWORD_HASHING = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

    HOST = "127.0.0.1"  # where `flask serve` (`make run`) listens
    PORT = 5000
    TRUSTED_PROXIES = 0
    SEARCH_INDEX_DIR: str | None = None  # default: <instance>/search
    SEARCH_SYNC = False  # write the index in the request (tests) instead of in the background
    # Backups (community/backups/, docs/operating.md): where the archives go (default:
    # <instance>/backups), how many are kept (the oldest beyond go after each backup), and
    # whether the job engine's scheduler makes one every day at BACKUP_HOUR (UTC).
    BACKUP_DIR: str | None = None
    BACKUP_KEEP = 7
    BACKUP_DAILY = True
    BACKUP_HOUR = 3
    #: pg_dump's path when it is not on PATH (pg_restore is taken from beside it).
    PG_DUMP: str | None = None
    SOCKETIO_MESSAGE_QUEUE: str | None = None
    SOCKETIO_ALLOWED_ORIGINS: list[str] | str | None = None
    # Questions unanswered this long are routed to experts; routed ones unclaimed and
    # unanswered this long after routing escalate to the space's moderators and owners.
    EXPERT_ROUTING_DELAY_HOURS = 24.0
    EXPERT_ESCALATION_HOURS = 24.0
    # How often the routing pass runs as a periodic job (0: never; use cron).
    EXPERT_ROUTING_INTERVAL_MINUTES = 5.0
    # Background jobs (community/jobs): on Redis, run by `flask jobs worker`, when this is set;
    # else in a pool of JOBS_THREADS threads in the web process (`flask serve` schedules the
    # periodic ones then).
    JOBS_REDIS_URL: str | None = None
    JOBS_THREADS = 2
    # Whole pages kept for anonymous visitors (community/web/pagecache.py) this many seconds
    # (0: never), in the process, or in this Redis (shared by every process) when it is set.
    PAGE_CACHE_SECONDS = 30
    CACHE_REDIS_URL: str | None = None
    JOBS_EAGER = False  # run each job at once in the thread that enqueued it (tests)
    # How often the notification digest goes out, as a periodic job (0: never; use cron).
    DIGEST_INTERVAL_HOURS = 24.0
    # Logging (community/logs.py): the level, and "text" lines or "json" objects on stderr.
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"

    @classmethod
    def environment(cls) -> dict[str, Any]:
        """The settings the process's environment gives (``SETTINGS``), as ``app.config``
        values."""
        return read_environment(os.environ)

    @classmethod
    def init_app(cls, app) -> None:
        """Fill in what depends on the app: without a database URL, SQLite in its instance
        folder."""
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            database = Path(app.instance_path) / "cocreate.db"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
        server_engine_options(app)


class DevelopmentConfig(Config):
    """Local development: a fixed, clearly non-secret key and mail written to the log."""

    NAME = "development"
    SECRET_KEY = "dev-only-not-secret"
    SQLALCHEMY_RECORD_QUERIES = True


class TestingConfig(Config):
    """The test suite: mail kept in an outbox; CSRF, rate limits and search stay on."""

    NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    MAIL_BACKEND = "memory"
    SQLALCHEMY_RECORD_QUERIES = True
    SEARCH_SYNC = True
    BRAINSTORM_HEARTBEAT = False  # tests call community.brainstorms.events.heartbeat()
    EXPERT_ROUTING_INTERVAL_MINUTES = 0.0  # not scheduled: tests run the pass themselves
    DIGEST_INTERVAL_HOURS = 0.0
    JOBS_EAGER = True  # a job runs when it is enqueued: no thread to wait for
    PAGE_CACHE_SECONDS = 0  # tests that write behind the operations' backs see their rows
    BACKUP_DAILY = False  # no scheduled backups: tests call run_scheduled themselves
    # Other features' tests write a lot from brand-new accounts; moderation tests set these.
    NEW_ACCOUNT_LIMITS = False
    POST_LIMIT = "1000 per minute"
    VOTE_LIMIT = "1000 per minute"
    FLAG_LIMIT = "1000 per minute"
    BRAINSTORM_NOTE_LIMIT = "1000 per minute"
    BRAINSTORM_DOT_LIMIT = "1000 per minute"
    # The production cost would spend minutes of the suite on hashing test passwords.
    PASSWORD_HASHING = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}
    # Test databases are thrown away: commits need not wait for the disk.
    SQLITE_SYNCHRONOUS = "OFF"

    @classmethod
    def environment(cls) -> dict[str, Any]:
        """Tests never read the developer's environment (database, mail, limits)."""
        return {}

    @classmethod
    def init_app(cls, app) -> None:
        """Without a database URL, an in-memory SQLite database."""
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        server_engine_options(app)


class ProductionConfig(Config):
    """Production: secure cookies, HSTS, no demo data, and a SECRET_KEY is required."""

    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEMO_DATA_ALLOWED = False
    MAIL_BACKEND = "log"

    @classmethod
    def init_app(cls, app) -> None:
        """Refuse to start without a real secret key."""
        super().init_app(app)
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY must be set in production (e.g. python -c "
                "'import secrets; print(secrets.token_hex(32))')."
            )


#: The configuration classes by the names ``COCREATE_ENV`` takes.
CONFIGS: dict[str, type[Config]] = dict(
    zip(ENVIRONMENTS, (DevelopmentConfig, TestingConfig, ProductionConfig), strict=True)
)


def config_from_env() -> type[Config]:
    """The configuration class ``COCREATE_ENV`` names (default: development)."""
    return CONFIGS[SETTINGS["COCREATE_ENV"].read(os.environ) or "development"]


def instance_path() -> str:
    """The instance folder ``COCREATE_INSTANCE`` names (default: ``instance/``)."""
    return SETTINGS["COCREATE_INSTANCE"].read(os.environ) or str(PROJECT_ROOT / "instance")
