"""Signing in and out: by username or e-mail, remember-me, rotation, redirects, throttling."""

from __future__ import annotations

import pytest

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import page_text


def signed_in_as(client) -> str:
    return page_text(client.get("/"))


def test_login_by_username_and_by_email_any_case(client, create_user):
    create_user("carol", email="Carol@Example.com", display_name="Carol Danvers")
    response = client.submit("/login", {"login": "CAROL", "password": PASSWORD})
    assert response.status_code == 302
    assert "Welcome back, Carol Danvers" in signed_in_as(client)
    client.submit("/logout")
    response = client.submit("/login", {"login": "carol@example.COM", "password": PASSWORD})
    assert response.status_code == 302


def test_the_account_language_goes_at_sign_out_and_the_switchers_stays(client, create_user):
    """The cookie keeps the account's language while signed in (error pages read it without
    the database); the next person at a shared computer gets the switcher's choice or their
    browser's, not the last account's."""
    create_user("lin", locale="zh_Hans")
    client.submit("/login", {"login": "lin", "password": PASSWORD})
    client.submit("/logout")
    assert "Sign in" in page_text(client.get("/login", headers={"Accept-Language": "en"}))
    client.submit("/language", {"locale": "zh_Hans", "next": "/"})
    create_user("ben", locale="en")
    client.submit("/login", {"login": "ben", "password": PASSWORD})
    assert "Welcome back" in signed_in_as(client)
    client.submit("/logout")
    assert "登录" in page_text(client.get("/login", headers={"Accept-Language": "en"}))


def test_wrong_password_and_unknown_user_get_the_same_message(client, create_user):
    create_user("dave")
    wrong = client.submit("/login", {"login": "dave", "password": "not the password"})
    unknown = client.submit("/login", {"login": "nobody", "password": "not the password"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "don't match" in page_text(response)
    assert "Sign in" in signed_in_as(client)


def test_suspended_account_cannot_sign_in(client, create_user):
    create_user("eve", active=False)
    response = client.submit("/login", {"login": "eve", "password": PASSWORD})
    assert response.status_code == 200
    assert "don't match" in page_text(response)


def test_remember_me_sets_a_lasting_cookie_only_when_asked(app, client, create_user, login):
    user = create_user()
    login(client, user)
    assert client.get_cookie("remember_token") is None
    client.submit("/logout")
    login(client, user, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_remember_cookie_alone_restores_the_session(app, client, create_user, login):
    user = create_user(display_name="Rita Remember")
    login(client, user, remember=True)
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert "Rita Remember" in page_text(fresh.get("/"))


def test_login_rotates_the_session(client, create_user):
    user = create_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.submit("/login", {"login": user.username, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_logout_needs_post_with_csrf(client, create_user, login):
    user = create_user(display_name="Stay Signedin")
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Stay Signedin" in signed_in_as(client)
    response = client.submit("/logout")
    assert response.status_code == 302
    assert "Stay Signedin" not in signed_in_as(client)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/u/someone", "/u/someone"),
        ("/settings/profile?tab=1", "/settings/profile?tab=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("http://evil.example/login", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        ("evil.example", "/"),
    ],
)
def test_next_redirect_accepts_only_same_site_paths(client, create_user, target, expected):
    user = create_user()
    response = client.submit(
        "/login", {"login": user.username, "password": PASSWORD}, query_string={"next": target}
    )
    assert response.status_code == 302
    assert response.location == expected


def test_login_page_redirects_signed_in_user_safely(client, create_user, login):
    login(client, create_user())
    response = client.get("/login", query_string={"next": "//evil.example"})
    assert response.location == "/"


def test_login_is_throttled_per_account(app, client, create_user):
    create_user("frank")
    for _ in range(5):
        assert (
            client.submit("/login", {"login": "frank", "password": "guess again"}).status_code
            == 200
        )
    blocked = client.submit("/login", {"login": "FRANK", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in page_text(blocked)
    # Another account from the same address is still allowed.
    create_user("grace")
    assert client.submit("/login", {"login": "grace", "password": PASSWORD}).status_code == 302


def test_login_is_throttled_per_address(app, client):
    for n in range(20):
        response = client.submit("/login", {"login": f"nobody{n}", "password": "whatever it is"})
        assert response.status_code == 200
    assert client.submit("/login", {"login": "nobody-else", "password": "x"}).status_code == 429


def test_throttled_login_answers_json_for_api_clients(client, create_user):
    create_user("heidi")
    for _ in range(5):
        client.submit("/login", {"login": "heidi", "password": "guess again"})
    response = client.submit(
        "/login", {"login": "heidi", "password": "x"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 429
    assert response.json["error"]["code"] == 429


def test_sign_in_attempts_count_per_account_whatever_names_it(client, create_user):
    create_user("frank", email="Frank@Example.com")
    for login in ("frank", "frank@example.com", "ＦＲＡＮＫ", "FRANK@EXAMPLE.COM", "Frank"):
        response = client.submit("/login", {"login": login, "password": "guess again"})
        assert response.status_code == 200
    blocked = client.submit("/login", {"login": "frank@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Sign in" in signed_in_as(client)


def test_unknown_names_are_counted_like_accounts(client, create_user):
    create_user("olga")
    for login in ("nobody", "NOBODY", "ｎｏｂｏｄｙ", "Nobody", "nobody "):
        response = client.submit("/login", {"login": login, "password": "guess again"})
        assert response.status_code == 200 and "don't match" in page_text(response)
    assert client.submit("/login", {"login": "nobody", "password": "x"}).status_code == 429
    # Other names, known or not, keep their own budgets.
    assert client.submit("/login", {"login": "somebody", "password": "x"}).status_code == 200
    assert client.submit("/login", {"login": "olga", "password": PASSWORD}).status_code == 302


def test_a_nul_byte_in_the_sign_in_name_is_refused_at_the_edge(client, create_user):
    create_user("nina")
    response = client.submit("/login", {"login": "nina\x00", "password": PASSWORD})
    assert response.status_code == 400
    assert "login: Text may not contain NUL characters." in page_text(response)
