"""Every module that serves URLs starts with their table (STYLE rule 1): each rule of
``app.url_map`` is listed, with its methods and endpoint, in the docstring of the module that
defines its view function, and nothing else is listed there."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys

import community

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROW = re.compile(
    r"^    (?P<methods>(?:GET|POST|PUT|PATCH|DELETE)(?: (?:GET|POST|PUT|PATCH|DELETE))*)"
    r" (?P<rule>/(?:\S.*?)?) {2,}(?P<endpoint>\w+)$"
)
PURPOSE = re.compile(r"^        \S")
HEADER = re.compile(r"^URLs \(blueprint ``(?P<blueprint>[\w-]+)``\)")
#: Served by Flask and flask-smorest themselves, not by a module of ours.
NOT_OURS = {"static", "api-docs.openapi_json"}


def url_table(docstring: str) -> set[tuple[str, str, str]]:
    """The (methods, rule, endpoint) rows of a module docstring's URL table; a row that does
    not follow the format fails the test, so nothing is silently skipped."""
    lines = (docstring or "").splitlines()
    starts = [i for i, line in enumerate(lines) if HEADER.match(line)]
    assert len(starts) == 1, "no 'URLs (blueprint ``…``)' paragraph, or more than one"
    blueprint = HEADER.match(lines[starts[0]])["blueprint"]
    rest = lines[starts[0] :]
    body = rest[rest.index("") + 1 :]  # the rows follow the header's paragraph
    rows: set[tuple[str, str, str]] = set()
    assert body and len(body) % 2 == 0, "each row is a line and its purpose"
    for row, purpose in zip(body[::2], body[1::2], strict=True):
        found = ROW.match(row)
        assert found, f"not a URL row: {row!r}"
        assert PURPOSE.match(purpose), f"no purpose under {row!r}"
        key = (found["methods"], found["rule"], f"{blueprint}.{found['endpoint']}")
        assert key not in rows, f"listed twice: {row!r}"
        rows.add(key)
    return rows


def _serving_modules(app) -> dict[str, set[tuple[str, str, str]]]:
    """What the URL map says each module serves."""
    served: dict[str, set[tuple[str, str, str]]] = {}
    for rule in app.url_map.iter_rules():
        module = inspect.unwrap(app.view_functions[rule.endpoint]).__module__
        if not module.startswith("community."):
            assert rule.endpoint in NOT_OURS, f"{rule.rule} is served from {module}"
            continue
        methods = " ".join(m for m in METHODS if m in rule.methods)
        served.setdefault(module, set()).add((methods, rule.rule, rule.endpoint))
    return served


def _views_modules() -> set[str]:
    """Every ``community.<feature>.views`` module, imported."""
    names = set()
    for info in pkgutil.iter_modules(community.__path__):
        if info.ispkg and importlib.util.find_spec(f"community.{info.name}.views"):
            names.add(f"community.{info.name}.views")
            importlib.import_module(f"community.{info.name}.views")
    return names


def test_every_url_is_in_the_table_of_the_module_that_serves_it(app):
    served = _serving_modules(app)
    assert "community.forums.views" in served and "community.api.resources" in served
    for module in sorted(set(served) | _views_modules()):
        listed = url_table(sys.modules[module].__doc__)
        expected = served.get(module, set())
        assert sorted(expected - listed) == [], f"{module}: served but not in its table"
        assert sorted(listed - expected) == [], f"{module}: in its table but not served there"


def test_the_table_format_is_checked():
    doc = """What it holds.

URLs (blueprint ``things``):

    GET POST /things/<int:thing_id>  thing
        One thing
"""
    assert url_table(doc) == {("GET POST", "/things/<int:thing_id>", "things.thing")}
    for broken in (
        doc.replace("        One thing\n", ""),  # no purpose
        doc.replace("GET POST", "FETCH"),  # not a method
        doc.replace("  thing\n", " thing\n"),  # endpoint not set apart
        doc.replace("URLs (blueprint ``things``):", "URLs:"),  # no blueprint
    ):
        try:
            url_table(broken)
        except AssertionError:
            continue
        raise AssertionError(f"accepted: {broken!r}")
