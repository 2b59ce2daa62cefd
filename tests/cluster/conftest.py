"""The cluster ``make cluster`` runs, started once for these tests by the same launcher
(``deploy/cluster.py``) on free ports with its own state directory: PostgreSQL of its own
(initdb into the state directory, so the tests may restart it), Redis, two instances under
gunicorn with the production configuration, and nginx with TLS in front.

The tests drive it as people and operators would: real HTTP (``requests``, through nginx or
to one instance directly, as nginx would) and python-socketio clients. Their data is written
into the cluster's database by an app in this process (the test factories), so that each test
starts from people and spaces of its own.

Without PostgreSQL, Redis, nginx or openssl the tests are skipped with the reason; under
``CI=true`` that is a failure (``.ci/run`` installs them), as for the browser tests.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import requests
import socketio

from deploy import cluster as launcher
from tests.fixtures.environment import unavailable

#: How long to wait for something that should happen (an update, a restart); never a duration
#: the tests assert.
WAIT = 30.0


def require_binaries() -> None:
    """Skip (or, under CI, fail) when the machine cannot run a cluster."""
    missing = launcher.missing_binaries()
    if not missing:
        return
    message = (
        f"{', '.join(missing)} missing: tests/cluster runs PostgreSQL, Redis and nginx "
        "(make test installs them when run as root)"
    )
    unavailable(message)


@pytest.fixture(scope="session")
def cluster(request):
    """The running cluster; stopped (every process it started) after the session. Its state
    directory (logs included) is kept when a test failed, and named on stderr."""
    require_binaries()
    state = Path(tempfile.mkdtemp(prefix="cocreate-cluster-"))
    state.chmod(0o755)  # PostgreSQL runs as the postgres user when we are root
    running = launcher.start(state, demo=False, progress=lambda _message: None)
    yield running
    launcher.stop(running)
    if request.session.testsfailed:
        print(f"\ntests/cluster: the cluster's logs are in {state / 'logs'}", file=sys.stderr)
    else:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def data_app(cluster, tmp_path_factory):
    """An app in this process on the cluster's database, for the tests' factories."""
    from tests.fixtures.app import make_app

    url = cluster.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = make_app(tmp_path_factory.mktemp("data-app"), SQLALCHEMY_DATABASE_URI=url)
    yield app
    from community.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_names = itertools.count(1)
_addresses = itertools.count(0)


@dataclass
class World:
    """People and a public space of one test: owner (moderator), member, other, outsider."""

    space: object
    owner: object
    member: object
    other: object
    outsider: object


@pytest.fixture
def world(data_app) -> World:
    from community.permissions import Role
    from tests.fixtures.accounts import make_user
    from tests.fixtures.spaces import make_space

    n = next(_names)
    owner = make_user(data_app, f"owner{n}x{os.getpid()}", role=Role.MODERATOR)
    people = [make_user(data_app, f"{who}{n}x{os.getpid()}") for who in ("mem", "oth", "out")]
    space = make_space(data_app, owner, f"Cluster space {n} {os.getpid()}")
    add_members(data_app, space, people[:2])
    return World(space, owner, *people)


def add_members(data_app, space, people: list) -> None:
    """Make ``people`` active members of ``space``."""
    from community.extensions import db
    from community.spaces.models import Membership, Space

    with data_app.app_context():
        for person in people:
            db.session.add(Membership(space_id=space.id, user_id=person.id, state="active"))
        db.session.get(Space, space.id).member_count += len(people)
        db.session.commit()


@pytest.fixture
def members(data_app, world):
    """Factory: ``n`` more members of the world's space."""
    from tests.fixtures.accounts import make_user

    def make(n: int) -> list:
        people = [make_user(data_app, f"m{next(_names)}x{os.getpid()}") for _ in range(n)]
        add_members(data_app, world.space, people)
        return people

    return make


@pytest.fixture
def idea(data_app, world):
    from tests.fixtures.ideas import make_idea

    return make_idea(data_app, world.space, world.owner, title=f"Cluster idea {next(_names)}")


@pytest.fixture
def brainstorm(data_app, world) -> int:
    """A session of the world's space, in its ideation phase; returns its id."""
    from community.accounts.models import User
    from community.brainstorms import operations
    from community.brainstorms.models import Phase
    from community.extensions import db
    from community.spaces.models import Space

    with data_app.test_request_context():
        session = operations.create_session(
            db.session.get(Space, world.space.id),
            by=db.session.get(User, world.owner.id),
            prompt="How could two instances share one board?",
            hidden_ideation=False,
        )
        while session.current_phase != Phase.IDEATE:
            operations.advance_phase(session, by=session.facilitator)
        db.session.commit()
        return session.id


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address (127.0.0.0/8 is all ours)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Visitor:
    """Someone with a browser, the cluster's certificate trusted.

    ``get``/``post`` go to ``base``: the site through nginx (``cluster.url``), or one instance
    directly (``cluster.instance_url(name)``, plain http, as nginx sends them). The browser's
    cookies go with both and are kept from both answers, as if every answer came through
    the site (they are Secure: no client would send them over plain http by itself)."""

    def __init__(self, cluster: launcher.Cluster, address: str | None = None) -> None:
        self.cluster = cluster
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # ours: above
        if address:  # connect from this loopback address (nginx sees it as the client's)
            for scheme in ("http://", "https://"):
                self.http.mount(scheme, FromAddress(address))

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _send(self, method: str, base: str, path: str, **kwargs):
        kwargs["headers"] = {"Cookie": self.cookie_header(), **kwargs.get("headers", {})}
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", WAIT)
        # The cluster's own self-signed certificate, checked (for localhost).
        kwargs.setdefault("verify", str(self.cluster.state / "tls" / "cert.pem"))
        response = self.http.request(method, base + path, **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, base: str, path: str, **kwargs):
        return self._send("GET", base, path, **kwargs)

    def post(self, base: str, path: str, data: dict, **kwargs):
        """A form post with the CSRF token of a page of ``base``, from that page (browsers
        send the page as Referer; over https, CSRF protection requires it)."""
        kwargs["headers"] = {"Referer": base + path, **kwargs.get("headers", {})}
        token = kwargs.pop("token", None) or self.csrf(base)
        return self._send("POST", base, path, data={"csrf_token": token, **data}, **kwargs)

    def csrf(self, base: str) -> str:
        page = self.get(base, "/")
        match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert match, page.text[:500]
        return html.unescape(match.group(1))

    def sign_in(self, user, base: str | None = None):
        """Sign in through the login form (through nginx unless ``base`` says otherwise)."""
        from tests.fixtures.accounts import PASSWORD

        base = base or self.cluster.url
        response = self.post(base, "/login", {"login": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.text[:2000]
        return response

    def socket(self, base: str, namespace: str) -> Live:
        return Live(self, base, namespace)


class Live:
    """A python-socketio client on one namespace, over WebSocket, keeping what it receives."""

    def __init__(self, visitor: Visitor, base: str, namespace: str, **options) -> None:
        self.namespace = namespace
        self.events: list[tuple[str, object]] = []
        self.changed = threading.Condition()
        self.client = socketio.Client(ssl_verify=False, **options)
        self.client.on("*", self._keep, namespace=namespace)
        self.client.on("connect", lambda: self._keep("connect"), namespace=namespace)
        self.client.on("disconnect", self._gone, namespace=namespace)
        # websocket-client sends the Origin a browser on the site's page would.
        self.client.connect(
            base,
            headers={"Cookie": visitor.cookie_header()},
            namespaces=[namespace],
            transports=["websocket"],
            wait_timeout=WAIT,
        )

    def _keep(self, event: str, data=None) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def _gone(self, *_args) -> None:
        self._keep("disconnect")

    def call(self, event: str, data: dict):
        return self.client.call(event, data, namespace=self.namespace, timeout=WAIT)

    def wait_for(self, test: Callable[[str, object], bool], timeout: float = WAIT):
        """The first event received for which ``test(event, data)`` holds (waiting for it)."""
        found = []

        def seen() -> bool:
            found[:] = [(e, d) for e, d in self.events if test(e, d)][:1]
            return bool(found)

        with self.changed:
            assert self.changed.wait_for(seen, timeout), f"not received; got {self.events}"
        return found[0]

    def received(self, test: Callable[[str, object], bool]) -> bool:
        with self.changed:
            return any(test(e, d) for e, d in self.events)

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def visitors(cluster):
    """Factory of visitors; their sockets are closed after the test."""
    made: list[Visitor] = []

    def make(address: str | None = None) -> Visitor:
        # Each from a loopback address of its own, as people come from addresses of their
        # own: the per-address budgets (20 sign-ins a minute) are not shared by every test.
        n = next(_addresses)
        made.append(Visitor(cluster, address or f"127.0.{n // 250 + 1}.{n % 250 + 1}"))
        return made[-1]

    yield make
    for visitor in made:
        visitor.http.close()


@pytest.fixture
def sockets():
    """Collects Live sockets to close after the test: ``sockets(live)`` returns ``live``."""
    opened: list[Live] = []

    def keep(live: Live) -> Live:
        opened.append(live)
        return live

    yield keep
    for live in opened:
        live.close()
