"""Browser tests: Playwright drives Debian's Chromium against a live server.

``playwright install`` cannot download browsers here, so the system Chromium is used. Without
it the browser tests are skipped with a clear reason, except under ``CI=true`` where a missing
browser is a failure.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import make_server

from community.extensions import socketio
from tests.fixtures.accounts import PASSWORD, make_user
from tests.fixtures.app import make_app
from tests.fixtures.environment import unavailable

# CI runs two test workers, each with a browser, on two cores: allow for a busy machine.
expect.set_options(timeout=15_000)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip (or, under CI, fail) when Debian's Chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    message = (
        f"{CHROMIUM} is missing: browser tests need Debian's chromium "
        "(make test installs it when run as root)"
    )
    unavailable(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    app: Flask
    url: str
    socket_server: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served on a free local port by a threaded Werkzeug server."""
    app = make_app(
        tmp_path_factory.mktemp("live"),
        # Every browser signs in from 127.0.0.1; per-account limits still apply.
        LOGIN_LIMIT_PER_IP="1000 per minute",
        REGISTER_LIMIT_PER_IP="1000 per hour",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", socketio.server)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _live_pushes_reach_the_browsers(request):
    """Flask-SocketIO keeps one Socket.IO server per process, and each app made takes it over:
    an app made in this process after the live server would send its pushes astray. Serve any
    other app from a subprocess (test_error_pages does); this fails plainly if one is not."""
    if "live_server" in request.fixturenames:
        live = request.getfixturevalue("live_server")
        assert live.socket_server is socketio.server, (
            "an app made in this process took over the live server's Socket.IO server"
        )


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def live_user(live_server):
    """Factory: a committed user on the live server's database."""

    def create(**kwargs):
        return make_user(live_server.app, **kwargs)

    return create


@pytest.fixture
def sign_in():
    """Sign in through the real login form."""

    def do_sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("Username or e-mail").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

    return do_sign_in


@pytest.fixture
def live_space(live_server):
    """Factory: a space on the live server's database, owned by ``owner``."""
    from community.extensions import db
    from community.spaces import operations

    def create(owner, *, name: str, slug: str, visibility: str = "public", tags: str = ""):
        with live_server.app.test_request_context():
            by = db.session.get(type(owner), owner.id)
            space = operations.create_space(
                name=name, slug=slug, description="", visibility=visibility, tags=tags, by=by
            )
            db.session.commit()
            return space.slug

    return create


@pytest.fixture
def live_session(live_server):
    """Factory: a brainstorming session in the space ``slug`` on the live server's database,
    run by ``facilitator``, with ``members`` joined to the space; returns the session's id."""
    from community.brainstorms import operations as brainstorms
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    def create(facilitator, members, *, slug: str, prompt: str, **settings) -> int:
        with live_server.app.test_request_context():
            space = db.session.scalar(db.select(Space).where(Space.slug == slug))
            for person in members:
                spaces.join_space(space, db.session.get(type(person), person.id))
            session = brainstorms.create_session(
                space,
                by=db.session.get(type(facilitator), facilitator.id),
                prompt=prompt,
                **settings,
            )
            db.session.commit()
            return session.id

    return create


def pytest_collection_modifyitems(config, items):
    """Browsers abort responses when they navigate on; Werkzeug's live server then leaves a
    static file for the garbage collector, which Python reports as an unraisable
    ResourceWarning. That is the test server's noise, not the app's: ignore it here only
    (exceptions in threads, such as socket handlers, still fail the test)."""
    ignore = pytest.mark.filterwarnings(
        "ignore:Exception ignored in:pytest.PytestUnraisableExceptionWarning"
    )
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(ignore)
