"""What nginx in front does: TLS with production cookie settings, the client's address taken
from nginx alone, WebSockets through the proxy, static files served with their caching."""

from __future__ import annotations

import re
import time

from tests.cluster.conftest import WAIT


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

    assert live.call("watch", {"ideas": [idea.id]}) == {
        "ok": True,
        "watching": [idea.id],
        "votes": {str(idea.id): 0},
    }
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


def test_a_forged_forwarded_host_does_not_reach_links_in_mail(cluster, visitors, world):
    """nginx sets X-Forwarded-Host itself: a password-reset link (mail is written to the
    instances' logs here) points at the site whatever the client claims."""
    attacker = visitors()
    before = set(_mailed_links(cluster))
    asked = attacker.post(
        cluster.url,
        "/password/forgot",
        {"email": f"{world.other.username}@example.com"},
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
    )
    assert asked.status_code == 302

    links = []
    deadline = time.monotonic() + WAIT
    while not (links := [link for link in _mailed_links(cluster) if link not in before]):
        assert time.monotonic() < deadline, "no reset mail was written"
        time.sleep(0.2)
    assert all(link.startswith(f"{cluster.url}/password/reset/") for link in links), links


def _mailed_links(cluster, names=("web-a", "web-b", "worker")) -> list[str]:
    """The password-reset links in mail written to the logs of ``names`` so far (mail is a
    job: the worker delivers it, or an instance itself while Redis does not answer)."""
    logs = [cluster.log(name) for name in names]
    text = "".join(log.read_text() for log in logs if log.exists())
    return re.findall(r"\S*/password/reset/\S+", text)


def test_mail_is_a_job_the_worker_delivers(cluster, visitors, world):
    """The instances put mail on the job queue in Redis and the worker writes it; /readyz on
    each instance checks the queue and gives its backlog."""
    person = visitors()
    for _ in range(2):  # nginx spreads new visitors over both instances
        ready = visitors().get(cluster.url, "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["job_queue"] == "ok"
        assert ready.json()["jobs"]["engine"] == "redis"
    before = set(_mailed_links(cluster, ["worker"]))
    asked = person.post(
        cluster.url, "/password/forgot", {"email": f"{world.member.username}@example.com"}
    )
    assert asked.status_code == 302
    deadline = time.monotonic() + WAIT
    while not [link for link in _mailed_links(cluster, ["worker"]) if link not in before]:
        assert time.monotonic() < deadline, "the worker wrote no reset mail"
        time.sleep(0.2)
    web = "".join(cluster.log(name).read_text() for name in ("web-a", "web-b"))
    assert "running mail.deliver in this process" not in web
