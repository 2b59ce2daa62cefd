"""PostgreSQL outages: a database nobody answers gives a 503 page (or JSON) that needs no
database, in the reader's language from the request alone; connections a restarted server
dropped cost no error (``pool_pre_ping``); error pages never read the database."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, event, make_url, text

from community import create_app
from community.config import TestingConfig
from community.extensions import db
from tests.fixtures.app import Client, make_app
from tests.fixtures.postgres import fresh_postgres_database


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down_app(tmp_path):
    """The app on a PostgreSQL server nobody listens on."""
    url = f"postgresql+psycopg://cocreate:cocreate@127.0.0.1:{_unused_port()}/cocreate"
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=str(tmp_path / "search")
    )
    app.test_client_class = Client
    return app


def test_pages_answer_503_in_the_readers_language_while_the_database_is_down(down_app):
    client = down_app.test_client()
    assert client.get("/").status_code == 200  # the front page reads nothing: still served
    page = client.get("/spaces", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert "暂时无法访问" in html and 'lang="zh-Hans"' in html

    english = client.get("/kb", headers={"Accept-Language": "en"})
    assert english.status_code == 503 and "Briefly unavailable" in english.get_data(as_text=True)

    scripted = client.get("/spaces", headers={"Accept": "application/json"})
    assert scripted.status_code == 503
    assert scripted.json["error"]["code"] == 503


def test_signed_in_people_and_votes_get_503_too(app, down_app, create_user, login):
    """The same signed-in browser (its cookie) while the database is down: the page, and a
    vote sent by the page's script, each answer 503 instead of a bare 500."""
    person = create_user("lin", locale="zh_Hans")
    healthy = app.test_client()
    login(healthy, person)
    client = down_app.test_client()
    client.set_cookie("session", healthy.get_cookie("session").value)

    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 503
    assert "暂时无法访问" in page.get_data(as_text=True)  # the account's language, from the cookie

    vote = client.submit("/ideas/1/vote", {"vote": "1"}, headers={"Accept": "application/json"})
    assert vote.status_code == 503 and vote.json["error"]["code"] == 503


def test_error_pages_keep_the_layout_and_fall_back_to_the_plain_page(
    app, client, create_user, login, monkeypatch
):
    """A signed-in person's 404 comes in the site's layout (their menu and bell); when the
    layout cannot be rendered (it reads the database), the plain page says the error instead."""
    login(client, create_user("ana"))
    page = client.get("/ideas/999999")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert "Page not found" in body and 'class="site-header' in body and "/notifications" in body

    def broken(*_args, **_kwargs):
        raise RuntimeError("the layout needs the database")

    monkeypatch.setattr("community.web.error_pages.render_template", broken)
    page = client.get("/ideas/999999")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    assert "Page not found" in body and "/notifications" not in body


def test_connections_dropped_by_the_server_cost_no_error(tmp_path, create_user, login):
    """Kill every connection the app holds (as a PostgreSQL restart does): the next request
    gets a fresh one, not a 500, and the app recovers without a restart."""
    with fresh_postgres_database("cocreate_outage", schema=True) as url:
        app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        try:
            client = app.test_client()
            assert client.get("/").status_code == 200
            admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                killed = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar()
            admin.dispose()
            assert killed >= 1
            assert client.get("/").status_code == 200
            assert client.get("/spaces").status_code == 200
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_connection_killed_mid_request_costs_one_503_then_recovers(tmp_path):
    """The server drops the request's connection between its queries (a failover): that
    request answers 503 (not a bare 500), and the next one works on a fresh connection."""
    with fresh_postgres_database("cocreate_killed", schema=True) as url:
        app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
        killed = []

        def kill_before_the_spaces_query(conn, cursor, statement, *_args):
            if "FROM spaces" in statement and not killed:
                pid = conn.connection.dbapi_connection.info.backend_pid
                with admin.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                killed.append(pid)

        try:
            client = app.test_client()
            with app.app_context():
                event.listen(db.engine, "before_cursor_execute", kill_before_the_spaces_query)
            page = client.get("/spaces", headers={"Accept": "application/json"})
            assert killed and page.status_code == 503, page.get_data(as_text=True)
            assert page.json["error"]["code"] == 503
            assert client.get("/spaces").status_code == 200
        finally:
            admin.dispose()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
