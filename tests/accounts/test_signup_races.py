"""Sign-up links followed at the same moment, on SQLite and, when ``TEST_POSTGRES_URL`` is set,
on a fresh PostgreSQL database: one account each time, and a clear answer (never a 500) for
the link that lost."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db, mailer
from tests.fixtures.app import at_once, page_text
from tests.fixtures.postgres import app_on

FORM = {
    "display_name": "Alice Liddell",
    "password": "down the rabbit hole",
    "confirm": "down the rabbit hole",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The app on SQLite, or on its own PostgreSQL database (replaces the usual ``app``)."""
    with app_on(request.param, tmp_path, "cocreate_signup") as app:
        yield app


def link_for(app, username: str, email: str) -> str:
    """Sign up in a browser of its own; the path of the link e-mailed."""
    client = app.test_client()
    response = client.submit("/register", {**FORM, "username": username, "email": email})
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        text = mailer.outbox[-1].text
    return re.search(r"http://localhost(/register/confirm/[\w-]+)", text).group(1)


def confirming(app, link: str, **data):
    """A browser's click on the link's button, to run later."""
    client = app.test_client()
    assert client.get(link).status_code == 200
    return lambda: client.submit(link, data)


def users(app) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(select(User.username, User.email).order_by(User.id)).all()


def test_one_link_followed_twice_at_once_makes_one_account(app):
    link = link_for(app, "alice", "alice@example.com")
    codes = at_once(confirming(app, link), confirming(app, link))
    assert sorted(codes) == [302, 400]
    assert users(app) == [("alice", "alice@example.com")]


def test_two_sign_ups_of_one_address_followed_at_once_make_one_account(app):
    first = link_for(app, "alice", "alice@example.com")
    second = link_for(app, "alicia", "ALICE@example.com")
    codes = at_once(confirming(app, first), confirming(app, second))
    assert sorted(codes) == [302, 400]
    [(_name, email)] = users(app)
    assert email.lower() == "alice@example.com"


def test_two_sign_ups_of_one_username_followed_at_once_make_one_account(app):
    first = link_for(app, "alice", "one@example.com")
    second = link_for(app, "ALICE", "two@example.com")
    codes = at_once(confirming(app, first), confirming(app, second))
    # The later one is asked for another username on the link's page.
    assert sorted(codes) == [200, 302]
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
