"""Configuration classes; environment variables are read in ``init_app``, never at import."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
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
    #: The site's address, for links in mail sent outside a request (the digest command).
    SITE_URL = "http://localhost:5000"
    PASSWORD_RESET_MAX_AGE = 60 * 60
    SIGNUP_CONFIRM_MAX_AGE = 24 * 60 * 60  # how long a sign-up link works (seconds)
    # Argon2id cost (argon2-cffi's defaults, RFC 9106's second recommendation): about 0.1 s
    # of one core per hash. Hashes keep their own parameters, so changing these only makes
    # each account's hash be redone at its next sign-in.
    PASSWORD_HASHING = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

    TRUSTED_PROXIES = 0
    SEARCH_INDEX_DIR: str | None = None  # default: <instance>/search
    SEARCH_SYNC = False  # write the index in the request (tests) instead of in the background
    SOCKETIO_MESSAGE_QUEUE: str | None = None
    SOCKETIO_ALLOWED_ORIGINS: list[str] | str | None = None
    # Questions unanswered this long are routed to experts; routed ones unclaimed and
    # unanswered this long after routing escalate to the space's moderators and owners.
    EXPERT_ROUTING_DELAY_HOURS = 24.0
    EXPERT_ESCALATION_HOURS = 24.0
    # How often `flask serve` runs that routing pass in the background (0: never; use cron).
    EXPERT_ROUTING_INTERVAL_MINUTES = 5.0
    # Logging (community/logs.py): the level, and "text" lines or "json" objects on stderr.
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"

    @classmethod
    def init_app(cls, app) -> None:
        """Read the environment into ``app.config`` (values set by the caller win)."""
        env = os.environ
        instance = Path(app.instance_path)
        if env.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = env["SECRET_KEY"]
        url = env.get("DATABASE_URL")
        if url and not app.config.get("SQLALCHEMY_DATABASE_URI"):
            if url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://") :]
            elif url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'cocreate.db'}"
        if env.get("MAIL_SERVER"):
            app.config["MAIL_BACKEND"] = "smtp"
            app.config["MAIL_SERVER"] = env["MAIL_SERVER"]
            app.config["MAIL_PORT"] = int(env.get("MAIL_PORT", app.config["MAIL_PORT"]))
            app.config["MAIL_USERNAME"] = env.get("MAIL_USERNAME")
            app.config["MAIL_PASSWORD"] = env.get("MAIL_PASSWORD")
            app.config["MAIL_USE_TLS"] = _env_bool("MAIL_USE_TLS", True)
        if env.get("SITE_URL"):
            app.config["SITE_URL"] = env["SITE_URL"]
        if env.get("MAIL_DEFAULT_SENDER"):
            app.config["MAIL_DEFAULT_SENDER"] = env["MAIL_DEFAULT_SENDER"]
        if env.get("RATELIMIT_STORAGE_URI"):
            app.config["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
        if env.get("MAX_CONTENT_LENGTH"):
            app.config["MAX_CONTENT_LENGTH"] = int(env["MAX_CONTENT_LENGTH"])
            app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
        if env.get("SEARCH_INDEX_DIR"):
            app.config["SEARCH_INDEX_DIR"] = env["SEARCH_INDEX_DIR"]
        if env.get("TRUSTED_PROXIES"):
            app.config["TRUSTED_PROXIES"] = int(env["TRUSTED_PROXIES"])
        if env.get("SOCKETIO_MESSAGE_QUEUE"):
            app.config["SOCKETIO_MESSAGE_QUEUE"] = env["SOCKETIO_MESSAGE_QUEUE"]
        if env.get("SOCKETIO_ALLOWED_ORIGINS"):
            app.config["SOCKETIO_ALLOWED_ORIGINS"] = env["SOCKETIO_ALLOWED_ORIGINS"].split(",")
        for name in ("LOG_LEVEL", "LOG_FORMAT"):
            if env.get(name):
                app.config[name] = env[name]
        for name in (
            "EXPERT_ROUTING_DELAY_HOURS",
            "EXPERT_ESCALATION_HOURS",
            "EXPERT_ROUTING_INTERVAL_MINUTES",
        ):
            if env.get(name):
                app.config[name] = float(env[name])


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
    EXPERT_ROUTING_INTERVAL_MINUTES = 0.0  # no background loop: tests run the pass themselves
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
    def init_app(cls, app) -> None:
        """Tests never read the developer's environment for the database or mail."""
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"


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


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by ``COCREATE_ENV`` (default: development)."""
    name = os.environ.get("COCREATE_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"COCREATE_ENV={name!r} is not one of: {', '.join(sorted(CONFIGS))}"
        ) from None
