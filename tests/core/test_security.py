"""Security baseline: headers, cookies, CSRF, safe redirects, production settings."""

from __future__ import annotations

import re

import pytest

from community import create_app
from community.config import ProductionConfig
from community.security import is_safe_next


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), chunk[:80]
    assert " onclick=" not in html and " onchange=" not in html


def test_session_cookie_flags(client, create_user, login):
    login(client, create_user(), remember=True)
    session_cookie = client.get_cookie("session")
    assert session_cookie.http_only and session_cookie.same_site == "Lax"
    remember = client.get_cookie("remember_token")
    assert remember.http_only and remember.same_site == "Lax"


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert not app.config["DEMO_DATA_ALLOWED"]
    response = app.test_client().get("/", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_every_state_changing_route_is_csrf_protected(app, client):
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 20
    for rule in posts:
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        response = client.post(url, data={})
        assert response.status_code == 400, (rule.rule, response.status_code)


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/", True),
        ("/u/x?next=/y", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("https://evil.example", False),
        ("/%09/evil", True),
        ("/\t/evil.example", False),
        ("/\x00", False),
        ("", False),
        (None, False),
        ("relative", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe
