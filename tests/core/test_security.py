"""Security baseline: headers, cookies, CSRF, safe redirects, production settings."""

from __future__ import annotations

import re

import pytest

from community import create_app
from community.config import ProductionConfig
from community.web.security import is_safe_next


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
        ("/%09/evil", False),  # a tab once decoded
        ("/\t/evil.example", False),
        ("/\x00", False),
        ("/s/%E4%B8%AD%E6%96%87?page=2", True),
        ("/u/王芳", True),
        ("/search?q=a%2Fb%5Cc", True),  # escapes in the query stay escaped
        ("/\n/evil.example", False),
        ("/\r/evil.example", False),
        ("/\t\t/evil.example", False),
        ("/%2F/evil.example", False),
        ("/%2f%2fevil.example", False),
        ("/%252F%252Fevil.example", False),  # double encoded
        ("/%5Cevil.example", False),
        ("/%5C%5Cevil.example", False),
        ("/%0A/evil.example", False),
        ("/%25250A/evil.example", False),
        ("/\u2028/evil.example", False),
        ("/\u200b/evil.example", False),
        ("/\ud800", False),  # a lone surrogate
        ("/\x7f/evil.example", False),
        ("\t/evil.example", False),
        (" /evil.example", False),
        ("https:/evil.example", False),
        ("/" + "a" * 3000, False),
        ("/%252525252F%252525252Fevil.example", False),  # too deeply encoded to judge
        ("/100%25-done?x=%%", True),
        (["/"], False),
        (5, False),
        ("", False),
        (None, False),
        ("relative", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe


HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%2F%2Fevil.example",
    "/%5C%5Cevil.example",
    "https://evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_follow_goes_back_only_to_same_site_paths(client, login, create_space, create_user, target):
    space = create_space()
    login(client, create_user())
    data = {"target_type": "space", "target_id": space.id, "level": "watching", "next": target}
    response = client.submit("/follow", data)
    assert response.status_code == 302
    assert response.location == "/settings/following"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_every_next_form_field_and_argument_is_checked_the_same(client, login, create_user, target):
    login(client, create_user())
    language = client.submit("/language", {"locale": "en", "next": target})
    assert language.status_code == 302 and language.location == "/"
    signed_in = client.get("/login", query_string={"next": target})
    assert signed_in.status_code == 302 and signed_in.location == "/"


def test_a_nul_in_next_is_refused_at_the_edge(client, login, create_user):
    login(client, create_user())
    assert client.submit("/language", {"locale": "en", "next": "/\x00"}).status_code == 400
    assert client.get("/login", query_string={"next": "/\x00"}).status_code == 400


@pytest.mark.parametrize(
    "referrer, expected",
    [
        ("http://localhost/s/news/ideas?sort=new", "/s/news/ideas?sort=new"),
        ("http://localhost//evil.example/x", None),
        ("http://localhost/%2F/evil.example", None),
        ("http://localhost.evil.example/x", None),
        ("http://localhost@evil.example/x", None),
        ("https://localhost/s/news", None),  # another origin: scheme differs
        ("http://evil.example/", None),
        ("http://[::1/", None),  # malformed
        ("", None),
    ],
)
def test_the_vote_goes_back_to_the_referrer_only_on_this_site(
    client, login, cast, create_idea, referrer, expected
):
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.member)
    headers = {"Referer": referrer} if referrer else {}
    response = client.submit(f"/ideas/{idea.id}/vote", headers=headers)
    assert response.status_code == 302
    assert response.location == (expected or f"/ideas/{idea.id}")
