"""What nginx in front does: TLS with production cookie settings, the client's address taken
from nginx alone, WebSockets through the proxy, static files served with their caching."""

from __future__ import annotations

import re


def test_sign_in_over_tls_keeps_the_secure_session(cluster, visitors, world):
    person = visitors()
    page = person.get(cluster.url, "/login")
    assert page.status_code == 200
    assert "Secure" in page.headers["Set-Cookie"]  # production: the session cookie

    person.sign_in(world.member)

    home = person.get(cluster.url, "/")
    assert 'data-signed-in="1"' in home.text
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_forged_x_forwarded_for_does_not_choose_the_counted_address(cluster, visitors):
    """Password resets: five a quarter hour per address. A client sending a new
    X-Forwarded-For each time still spends its own address's budget (nginx replaces the
    header, and the instances trust one proxy); another address keeps its budget."""
    attacker = visitors(address="127.0.0.77")

    def forgot(visitor, forged: str):
        return visitor.post(
            cluster.url,
            "/password/forgot",
            {"email": "nobody@example.com"},
            headers={"X-Forwarded-For": forged},
        )

    answers = [forgot(attacker, f"198.51.100.{n}").status_code for n in range(5)]
    assert answers == [302] * 5
    assert forgot(attacker, "198.51.100.99").status_code == 429
    assert forgot(visitors(address="127.0.0.78"), "198.51.100.1").status_code == 302


def test_sockets_connect_through_nginx(cluster, visitors, sockets, world, idea):
    person = visitors()
    person.sign_in(world.member)
    live = sockets(person.socket(cluster.url, "/ideas"))

    assert live.call("watch", {"ideas": [idea.id]}) == {"ok": True, "watching": [idea.id]}
    assert live.client.transport() == "websocket"


def test_static_files_come_from_nginx_cached_by_version(cluster, visitors):
    person = visitors()
    page = person.get(cluster.url, "/").text
    versioned = re.search(r'href="(/static/css/app\.css\?v=\w+)"', page).group(1)

    kept = person.get(cluster.url, versioned)
    plain = person.get(cluster.url, "/static/css/app.css")

    assert kept.status_code == plain.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cache-Control" not in plain.headers and plain.headers["ETag"]
    assert kept.headers["Content-Type"] == "text/css"
    assert "X-Request-ID" not in kept.headers  # the app answers every request with one


def test_a_request_naming_another_host_never_reaches_the_app(cluster, visitors):
    """Links in password-reset mail are built from the request's Host: nginx refuses any
    Host but the site's before the app sees it."""
    attacker = visitors()
    for host in ("evil.example", f"evil.example:{cluster.ports['nginx']}", "127.0.0.1"):
        answer = attacker.get(cluster.url, "/password/forgot", headers={"Host": host})
        assert answer.status_code == 421, host
        assert "X-Request-ID" not in answer.headers
    assert attacker.get(cluster.url, "/password/forgot").status_code == 200
