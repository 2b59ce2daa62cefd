"""The application factory and the small functions that assemble the app."""

from __future__ import annotations

import os

from flask import Flask
from flask_babel import format_timedelta, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from community import (
    accounts,
    analytics,
    api,
    backups,
    brainstorms,
    experts,
    forums,
    home,
    ideas,
    knowledge,
    moderation,
    notifications,
    products,
    ratelimit,  # noqa: F401 - defines the cocreate-memory:// store RATELIMIT_STORAGE_URI names
    search,
    settings,
    spaces,
)
from community.accounts import sessions
from community.accounts.events import NAMESPACE as ME_NAMESPACE
from community.accounts.events import MeNamespace
from community.accounts.models import SEGMENTS
from community.brainstorms.events import NAMESPACE as BRAINSTORM_NAMESPACE
from community.brainstorms.events import BrainstormNamespace
from community.commands import register_cli
from community.config import PROJECT_ROOT, Config, config_from_env, instance_path
from community.database import RowIdConverter, utcnow
from community.extensions import babel, csrf, db, limiter, login_manager, mailer, migrate, socketio
from community.forums.events import NAMESPACE as THREADS_NAMESPACE
from community.forums.events import ThreadsNamespace
from community.forums.models import KIND_LABELS
from community.ideas.events import NAMESPACE as IDEAS_NAMESPACE
from community.ideas.events import IdeasNamespace
from community.ideas.models import STATUS_LABELS as IDEA_STATUS_LABELS
from community.jobs import views as jobs_views
from community.jobs.engine import init_jobs
from community.logs import register_logging
from community.permissions import ROLE_LABELS, Role, guardian
from community.search.service import init_search
from community.spaces.models import SPACE_ROLE_LABELS
from community.spaces.permissions import membership_of
from community.web import drafts
from community.web.assets import register_static_versions
from community.web.error_pages import register_error_handlers
from community.web.health import register_health_probes
from community.web.i18n import Labels, html_lang, register_catalogues, select_locale
from community.web.inputs import register_input_checks
from community.web.links import id_url
from community.web.live import Packet
from community.web.menu import menu_counts
from community.web.pagecache import register_page_cache
from community.web.queue import client_manager
from community.web.security import register_body_limit, register_security_headers
from community.web.touch import register_touches


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the Cocreate app: the config class's defaults (class default: ``COCREATE_ENV``),
    then the settings the environment gives, then ``overrides``."""
    config = config or config_from_env()
    app = Flask(
        "community",
        root_path=str(PROJECT_ROOT / "community"),
        instance_path=instance_path(),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config)
    app.config.update(config.environment())
    app.config.update(overrides)
    config.init_app(app)
    os.makedirs(app.instance_path, exist_ok=True)
    register_logging(app)
    register_proxies(app)
    register_health_probes(app)  # answered before any request hook: no session, no limits
    register_body_limit(app)  # first: before CSRF, rate limits or sign-in read anything
    register_extensions(app)
    app.url_map.converters["int"] = RowIdConverter
    register_blueprints(app)
    register_sockets(app)
    register_templates(app)
    register_static_versions(app)
    register_security(app)
    register_commands(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client address and scheme from
    their X-Forwarded headers (rate limits key on the address; HSTS needs the scheme)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Bind every extension to ``app``."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_catalogues(app)
    limiter.init_app(app)
    # The extensions are one object per process and keep state from an earlier app (tests
    # and benchmarks make several): each app starts with its rate-limit store taken as alive,
    # and with the message queue its own configuration names (Flask-SocketIO otherwise keeps
    # an earlier app's queue when this one has none).
    limiter._storage_dead = False
    socketio.server_options.pop("client_manager", None)
    mailer.init_app(app)
    init_jobs(app)
    init_search(app)
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        serializer=Packet,
        **client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"]),
    )
    register_page_cache(app)
    register_login(app)


def register_login(app: Flask) -> None:
    """Load users from the session id ``"<id>:<session secret>"`` (``accounts.sessions``)."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(sessions.load_user)
    app.before_request(sessions.keep_alive)
    register_touches(app)


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint."""
    app.register_blueprint(home.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(backups.bp)
    app.register_blueprint(spaces.bp)
    app.register_blueprint(forums.bp)
    app.register_blueprint(ideas.bp)
    app.register_blueprint(brainstorms.bp)
    app.register_blueprint(experts.bp)
    app.register_blueprint(products.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(knowledge.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(analytics.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(jobs_views.bp)
    api.init_api(app)


def register_sockets(app: Flask) -> None:
    """Register every feature's Socket.IO namespace."""
    # init_app made a new server for this app, so namespaces are registered on it afresh.
    socketio.on_namespace(MeNamespace(ME_NAMESPACE))
    socketio.on_namespace(IdeasNamespace(IDEAS_NAMESPACE))
    socketio.on_namespace(ThreadsNamespace(THREADS_NAMESPACE))
    socketio.on_namespace(BrainstormNamespace(BRAINSTORM_NAMESPACE))


def register_templates(app: Flask) -> None:
    """Template globals: the permission check, the locale, the language list, the menu's counts
    and drafts."""

    @app.template_filter("ago")
    def ago(moment) -> str:
        """How long ago ``moment`` was, in the reader's language ("3 hours ago")."""
        return format_timedelta(moment - utcnow(), add_direction=True)

    # Globals are visible in imported macros too; they read the user when called.
    app.jinja_env.globals.update(
        can=guardian.can_here,
        id_url=id_url,
        menu_counts=menu_counts,
        membership_of=lambda space: membership_of(current_user._get_current_object(), space),
        languages=app.config["LANGUAGES"],
        role_labels=Labels(ROLE_LABELS),
        space_role_labels=Labels(SPACE_ROLE_LABELS),
        idea_status_labels=Labels(IDEA_STATUS_LABELS),
        kind_labels=Labels(KIND_LABELS),
        segment_label=lambda key: SEGMENTS.get(key, key),
        Role=Role,
        draft_key=drafts.draft_key,
        draft_forget_markers=drafts.forget_markers,
        DRAFT_FORGET=drafts.DRAFT_FORGET,
    )

    @app.context_processor
    def locale_for_templates() -> dict:
        locale = str(get_locale())
        return {"current_locale": locale, "html_lang": html_lang(locale)}


def register_security(app: Flask) -> None:
    """Security headers, the input checks at the edge and error pages."""
    register_security_headers(app)
    register_input_checks(app)
    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """The ``flask`` CLI groups."""
    register_cli(app)
