"""Walk every route of the app, as every role, with hostile values everywhere a request can
carry them, and fail on any server error or unhandled exception.

The walk finds its own way: the routes come from ``app.url_map``, path values from the demo
database (columns named like the route's arguments), query and form field names from what
each view reads (recorded on a first, plain request) plus every argument schema the app
declares, and API bodies from the flask-smorest schemas. A route added later is walked
without touching this file.

The app runs with ``TESTING`` on, so exceptions propagate here with their traceback. A guard
on the database connection refuses what PostgreSQL would refuse (NUL characters in text, whole
numbers outside 32 bits), so the walk, run on SQLite, also finds PostgreSQL's failures.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from urllib.parse import quote

import marshmallow as ma
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from community.accounts.models import UserSession
from community.extensions import db
from community.permissions import Role
from tests.hostile.conftest import ROLES, known_values, people, sign_in
from tests.hostile.values import (
    HOSTILE_INTS,
    deep_json,
    encode_json,
    json_bodies,
    text_values,
    walk_settings,
)

#: Generated requests per route and method, on top of the plain and the targeted ones.
EXAMPLES = 3
#: Each is sent at once in every name a view reads and every argument name the app declares
#: (as an admin, who reaches the most): what broke most views before they were bounded.
KILLERS = ("99999999999999999999", "-1", "9999-12-31", "0001-01-01", "a\x00b", "abc")
INT32 = range(-(2**31), 2**31)
#: The routes are walked in this many tests (every SHARDS-th route each), so parallel test
#: workers share the walk.
SHARDS = 3


class Recorder(ImmutableMultiDict):
    """Query and form data that remember which names the view asked for."""

    touched: set[str] = set()

    def _touch(self, key) -> None:
        if isinstance(key, str):
            Recorder.touched.add(key)

    def __getitem__(self, key):
        self._touch(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self._touch(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's name
        self._touch(key)
        return super().get(key, default=default, type=type)

    def getlist(self, key, type=None):  # noqa: A002
        self._touch(key)
        return super().getlist(key, type=type)


class PostgresRefuses(Exception):
    """SQLite accepted a value that PostgreSQL refuses: the edge should have stopped it."""


def _guard(conn, cursor, statement, parameters, context, executemany) -> None:
    rows = parameters if executemany else [parameters]
    for row in rows:
        if isinstance(row, dict):
            values = row.values()
        else:
            values = row if isinstance(row, list | tuple) else [row]
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                raise PostgresRefuses(f"NUL character in a parameter of {statement[:80]!r}")
            if isinstance(value, int) and not isinstance(value, bool) and value not in INT32:
                raise PostgresRefuses(f"integer {value} out of range in {statement[:80]!r}")


@dataclass
class Route:
    rule: str
    endpoint: str
    method: str
    converters: dict
    keys: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"

    def path(self, values: dict) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(1).rpartition(":")[2]
            return quote(str(values[name]), safe="")

        return re.sub(r"<([^>]+)>", fill, self.rule)


def routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(Route(rule.rule, rule.endpoint, method, dict(rule._converters)))
    return sorted(found, key=lambda r: (r.rule, r.method))


def argument_names() -> set[str]:
    """Every field of every argument schema the app declares (``…Args``)."""
    names: set[str] = set()
    for entries in ma.class_registry._registry.values():
        for schema_class in entries:
            if schema_class.__name__.endswith("Args"):
                names.update(schema_class().fields)
    return names


def smorest_keys(app, endpoint: str) -> set[str]:
    """The fields of a flask-smorest view's arguments (query and JSON body)."""
    view = app.view_functions[endpoint]
    doc = getattr(view, "_apidoc", {}).get("arguments", {})
    keys: set[str] = set()
    for parameter in doc.get("parameters", []):
        schema = parameter.get("schema")
        if isinstance(schema, ma.Schema | type):
            instance = schema() if isinstance(schema, type) else schema
            keys.update(f.data_key or name for name, f in instance.fields.items())
    return keys


class Walker:
    """Sends requests as a role and collects what went wrong."""

    def __init__(self, app) -> None:
        self.app = app
        self.people = people(app)
        self.failures: dict[tuple, str] = {}
        self.count = 0
        #: A signed-in session cookie and its CSRF token per role, reused while the session
        #: lives (a request of the walk may sign out, change a password or ban someone).
        self.signed_in: dict = {}

    def client(self, role, csrf: str):
        client = self.app.test_client()
        kept = self.signed_in.get(role)
        if kept is None or not self._alive(kept[0]):
            session_id = sign_in(self.app, client, self.people.get(role))
            token = client.csrf_token()  # kept in the session cookie, read after it
            kept = (session_id, client.get_cookie("session"), token)
            self.signed_in[role] = kept
        else:
            client.set_cookie("session", kept[1].value)
        token = {"valid": kept[2], "missing": None, "foreign": "x" * 40}[csrf]
        return client, token

    def _alive(self, session_id: int | None) -> bool:
        """Whether the signed-in session ``session_id`` still signs its user in."""
        if session_id is None:
            return True  # anonymous
        with self.app.app_context():
            row = db.session.get(UserSession, session_id)
            alive = row is not None and row.user.is_active
            db.session.remove()
        return alive

    def send(self, route: Route, role, values: dict, query: dict, body, csrf: str) -> None:
        self.count += 1
        client, token = self.client(role, csrf)
        kwargs: dict = {"method": route.method, "query_string": query}
        headers = {}
        if route.method != "GET":
            kind, payload = body
            if kind == "form":
                kwargs["data"] = {**payload, **({"csrf_token": token} if token else {})}
            else:  # JSON, or a form body as raw bytes (not necessarily UTF-8)
                kwargs["data"] = payload.encode("utf-8", "surrogatepass")
                kwargs["content_type"] = (
                    "application/json" if kind == "json" else "application/x-www-form-urlencoded"
                )
                if token:
                    headers["X-CSRFToken"] = token
        where = f"{route} as {role or 'anonymous'}"
        Recorder.touched = set()
        try:
            response = client.open(route.path(values), headers=headers, **kwargs)
        except Exception as error:  # noqa: BLE001 - every failure is collected and reported
            frames = traceback.extract_tb(error.__traceback__)
            ours = [f for f in frames if "/community/" in f.filename]
            frame = (ours or frames)[-1]
            first = (str(error).splitlines() or [""])[0][:160]
            key = (route.endpoint, type(error).__name__, f"{frame.filename}:{frame.lineno}")
            self.failures.setdefault(
                key,
                f"{where}: {type(error).__name__}: {first}\n"
                f"    path={route.path(values)!r} query={query!r} body={body!r:.300}\n"
                f"    at {frame.filename}:{frame.lineno}",
            )
            return
        response.close()
        route.keys |= Recorder.touched
        if response.status_code >= 500:
            key = (route.endpoint, response.status_code)
            self.failures.setdefault(key, f"{where}: {response.status_code}")

    def report(self) -> str:
        return f"{len(self.failures)} failures in {self.count} requests:\n" + "\n".join(
            self.failures.values()
        )


def path_strategy(route: Route, known: dict[str, list]) -> st.SearchStrategy[dict]:
    parts = {}
    for name, converter in route.converters.items():
        real = known.get(name) or [1, 2, 3]
        if isinstance(converter, AnyConverter):
            parts[name] = st.sampled_from(sorted(converter.items)) | text_values()
        elif isinstance(converter, IntegerConverter):
            parts[name] = st.sampled_from(real) | st.sampled_from(HOSTILE_INTS)
        elif isinstance(converter, PathConverter):
            parts[name] = st.sampled_from(["css/app.css", "../community/app.py"]) | text_values()
        else:
            parts[name] = st.sampled_from(real) | text_values().filter(bool)
    return st.fixed_dictionaries(parts)


def plain_values(route: Route, known: dict[str, list]) -> dict:
    values = {}
    for name, converter in route.converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, PathConverter):
            values[name] = "css/app.css"
        else:
            values[name] = (known.get(name) or [1])[0]
    return values


def walk_generated(walker: Walker, route: Route, known: dict, shared: set[str]) -> None:
    """Generated requests to ``route``: any role, path values real or hostile, query and form
    fields over the names it reads (and every argument name), JSON bodies and raw ones."""
    keys = sorted(route.keys | shared)
    own = sorted(route.keys - {"csrf_token"}) or keys
    names = st.sampled_from(own) | st.sampled_from(keys)
    fields = st.dictionaries(names, text_values(), max_size=6)
    bodies = st.one_of(
        fields.map(lambda f: ("form", f)),
        fields.map(lambda f: ("form", f)),
        json_bodies(own).map(lambda b: ("json", b)),
        st.sampled_from(["", "\xff\xfe", "a=%ED%A0%80&b=%00"]).map(lambda b: ("raw", b)),
    )

    @given(
        role=st.sampled_from(ROLES),
        values=path_strategy(route, known),
        query=fields,
        body=bodies,
        csrf=st.sampled_from(["valid", "valid", "valid", "missing", "foreign"]),
    )
    @walk_settings(EXAMPLES)
    def walk(role, values, query, body, csrf):
        walker.send(route, role, values, query, body, csrf)

    walk()


@pytest.fixture
def guarded_app(walk_app):
    """The walk's app, recording the argument names views read and guarded like PostgreSQL."""
    walk_app.request_class = type("Recording", (walk_app.request_class,), {})
    walk_app.request_class.parameter_storage_class = Recorder
    with walk_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _guard)
    yield walk_app
    event.remove(engine, "before_cursor_execute", _guard)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_route_answers_hostile_input_with_a_server_error(guarded_app, shard):
    known = known_values(guarded_app)
    walker = Walker(guarded_app)
    shared = argument_names()
    every = routes(guarded_app)[shard::SHARDS]
    # A plain request per route and role first: it records which names each view reads.
    for route in every:
        route.keys |= smorest_keys(guarded_app, route.endpoint)
        for role in ROLES:
            walker.send(route, role, plain_values(route, known), {}, ("form", {}), "valid")

    # Then the killers, and JSON too deep or with broken text for whatever takes a body.
    for route in every:
        own = (route.keys | shared) - {"csrf_token"}
        for value in KILLERS:
            fields = dict.fromkeys(own, value)
            walker.send(
                route, Role.ADMIN, plain_values(route, known), fields, ("form", fields), "valid"
            )
        if route.method != "GET":
            for body in (deep_json(), encode_json(dict.fromkeys(own, "\ud800"))):
                walker.send(
                    route, Role.ADMIN, plain_values(route, known), {}, ("json", body), "valid"
                )

    for route in every:
        walk_generated(walker, route, known, shared)

    assert walker.count > len(every) * len(ROLES)
    assert not walker.failures, walker.report()
