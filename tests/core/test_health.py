"""``/healthz`` and ``/readyz``: answered without sessions, rate limits or (for ``/healthz``)
the database; ``/readyz`` names what is down."""

from __future__ import annotations

import socket

import pytest

from community import create_app
from community.config import TestingConfig
from tests.fixtures.app import make_app


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_and_readyz_on_a_healthy_site(client):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "search": "ok"},
        "jobs": {"engine": "in-process", "backlog": 0},
    }
    assert ready.headers["Cache-Control"] == "no-store"


def test_probes_set_no_cookie_and_count_no_limit(client, create_user, login):
    login(client, create_user("ana"))
    for path in ("/healthz", "/readyz"):
        for _ in range(3):
            response = client.get(path)
            assert response.status_code == 200
            assert "Set-Cookie" not in response.headers
            assert not any(name.startswith("X-RateLimit") for name, _ in response.headers.items())


def test_readyz_names_the_database_when_it_is_down(tmp_path):
    url = f"postgresql+psycopg://cocreate:cocreate@127.0.0.1:{_unused_port()}/cocreate"
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=str(tmp_path / "search")
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # alive: it needs no database
    ready = client.get("/readyz")
    assert ready.status_code == 503
    # On PostgreSQL, search lives in the database and is down with it.
    assert ready.json["down"] == ["database", "search"]
    assert "Connection refused" not in ready.get_data(as_text=True)  # reasons go to the log


def test_readyz_names_redis_when_it_is_down(tmp_path):
    down = f"redis://127.0.0.1:{_unused_port()}"
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI=f"{down}/0", SOCKETIO_MESSAGE_QUEUE=f"{down}/1")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["down"] == ["message_queue", "rate_limit_store"]
    assert ready.json["checks"]["database"] == "ok"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_only_get_and_head(client, method, path):
    response = client.open(path, method=method, data=b"x" * 1000)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_ignore_odd_query_strings_and_huge_headers(client, path):
    odd = "?x=%00%ff&y=" + "9" * 5000 + "&z=%ED%A0%80&&=="
    assert client.get(path + odd).status_code == 200
    huge = {"X-Junk": "a" * 64_000, "Cookie": "session=" + "b" * 8000}
    response = client.get(path, headers=huge)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    head = client.head(path)
    assert head.status_code == 200 and head.get_data() == b""
