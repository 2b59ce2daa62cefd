"""Registration: the happy path and every way it can be refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import signals
from community.accounts.models import User
from community.extensions import db
from tests.fixtures.app import page_text

GOOD = {
    "username": "alice",
    "email": "alice@example.com",
    "display_name": "Alice Liddell",
    "password": "down the rabbit hole",
    "confirm": "down the rabbit hole",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_register_creates_account_signs_in_and_fires_signal(app, client):
    fired = []
    with signals.user_registered.connected_to(lambda sender, **kw: fired.append(sender.username)):
        response = client.submit("/register", GOOD)
    assert response.status_code == 302
    assert response.location.endswith("/settings/profile")
    assert fired == ["alice"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "alice"))
        assert user.password_hash.startswith("$argon2id$")
        assert user.role == "member"
        assert user.display_name == "Alice Liddell"
    page = client.get("/settings/profile")
    assert page.status_code == 200
    assert "Alice Liddell" in page_text(page)


@pytest.mark.parametrize(
    "existing, attempt",
    [
        ("alice", "alice"),
        ("alice", "ALICE"),
        ("Alice", "aLiCe"),
        ("strasse", "STRASSE"),
        ("ｕｓｅｒ", "user"),  # fullwidth letters: NFKC-equal
        ("jose\u0301", "jos\u00e9"),  # decomposed and composed é
        ("Ǆemal", "ǆemal"),  # a title-case digraph folds to the same key
    ],
)
def test_username_unique_after_normalisation_and_case_folding(
    app, client, create_user, existing, attempt
):
    create_user(existing)
    before = user_count(app)
    response = client.submit("/register", {**GOOD, "username": attempt, "email": "new@example.com"})
    assert response.status_code == 200
    assert "That username is taken." in page_text(response)
    assert user_count(app) == before


def test_email_unique_ignoring_case(app, client, create_user):
    create_user("bob", email="Bob@Example.com")
    response = client.submit("/register", {**GOOD, "email": "bob@EXAMPLE.COM"})
    assert "An account with that e-mail already exists." in page_text(response)
    assert user_count(app) == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"email": "a@b"}, "Invalid email address."),
        ({"password": "short1", "confirm": "short1"}, "Use at least 10 characters."),
        ({"password": "password123", "confirm": "password123"}, "too easy to guess"),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "too easy to guess"),
        ({"password": "alice12345", "confirm": "alice12345"}, "from your username"),
        ({"confirm": "something else entirely"}, "The passwords differ."),
        ({"username": "a"}, "2–30 letters"),
        ({"username": "no spaces"}, "2–30 letters"),
        ({"username": "_underscore"}, "2–30 letters"),
        ({"username": "<script>"}, "2–30 letters"),
        ({"display_name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, client, changes, message):
    response = client.submit("/register", {**GOOD, **changes})
    assert response.status_code == 200
    assert message in page_text(response)
    assert user_count(app) == 0


def test_chinese_username_is_accepted(app, client):
    response = client.submit("/register", {**GOOD, "username": "王芳", "display_name": "王芳"})
    assert response.status_code == 302
    assert client.get("/u/王芳").status_code == 200


def test_register_without_csrf_token_is_refused(app, client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "Reload the page" in page_text(response)
    assert user_count(app) == 0


def test_signed_in_user_is_sent_home_from_register(client, create_user, login):
    login(client, create_user())
    response = client.get("/register")
    assert response.status_code == 302
