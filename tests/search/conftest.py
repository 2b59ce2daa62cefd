"""Search fixtures: the app on either search backend, and a helper to search as a given
client.

Tests run on the SQLite FTS5 backend unless their module (or they) are marked
:data:`BOTH_BACKENDS`: then also on PostgreSQL (a fresh database on ``TEST_POSTGRES_URL``,
skipped when it is unset), where search runs in the application's database.
"""

from __future__ import annotations

import pytest

from community.extensions import db
from community.search.service import search_service
from tests.fixtures.postgres import app_on

BOTH_BACKENDS = pytest.mark.both_backends


def pytest_generate_tests(metafunc) -> None:
    """Tests marked :data:`BOTH_BACKENDS` that use the app run once per backend."""
    if "database" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_backends"
    ):
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database(request) -> str:
    """The application's database, and so its search backend: "sqlite" or "postgresql"."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def app(database, tmp_path):
    with app_on(database, tmp_path, "cocreate_search") as app:
        yield app


class InAppContext:
    """A backend that works in the application's database, callable from a test: each call
    runs in an app context, and what it writes is committed."""

    def __init__(self, app, backend) -> None:
        self._app, self._backend = app, backend

    def __getattr__(self, name: str):
        attribute = getattr(self._backend, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            with self._app.app_context():
                result = attribute(*args, **kwargs)
                db.session.commit()
                return result

        return call


@pytest.fixture
def backend(app):
    with app.app_context():
        backend = search_service().backend
    return InAppContext(app, backend) if backend.transactional else backend


@pytest.fixture
def found(client):
    """``found("words", client=c)`` → the result titles a visitor gets on the search page."""
    import re

    def titles(q: str, c=None, **params) -> list[str]:
        response = (c or client).get("/search", query_string={"q": q, **params})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return [
            re.sub(r"<[^>]+>", "", t).strip()
            for t in re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">(.*?)</a>', html, re.S)
        ]

    return titles
