"""What the served benchmarks share: a free port, the app under gunicorn the way production
runs it (one gthread worker by default), and signing in through the real login form."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path


def production_env(workdir: Path, **extra: str) -> dict:
    """The environment a benchmark's server runs in: production settings, a fresh secret, and
    the database, instance folder and search index in ``workdir``; ``extra`` adds settings."""
    return {
        **os.environ,
        "COCREATE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "COCREATE_INSTANCE": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "search"),
        **extra,
    }


def production_app(env: dict):
    """The app as ``env`` (from :func:`production_env`) configures it, made in this process
    (to generate a benchmark's data before the server starts)."""
    from community import create_app
    from community.config import ProductionConfig

    return create_app(
        ProductionConfig,
        SECRET_KEY=env["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=env["DATABASE_URL"],
        SEARCH_INDEX_DIR=env["SEARCH_INDEX_DIR"],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    app: str,
    env: dict,
    port: int,
    threads: int,
    log: Path,
    ready: str = "/login",
    *,
    workers: int = 1,
    worker_class: str = "gthread",
) -> subprocess.Popen:
    """Serve ``app`` (a gunicorn app spec in bench/, e.g. ``"ideas_bench:bench_app()"``) with
    ``workers`` processes of ``worker_class`` and wait until ``ready`` answers 200. Idle
    connections are kept open 75 s, as deploy/gunicorn.conf.py keeps them: gunicorn's default
    of 2 s closes a client's connection just as a person pausing 1-3 s sends on it again
    (a reset that browsers retry but the bench's clients count as an error)."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--chdir",
        os.path.dirname(os.path.abspath(__file__)),
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        "--keep-alive=75",
        "--no-control-socket",
        app,
    ]
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited early:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", ready)
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop a server :func:`start_server` started: SIGTERM, then SIGKILL after 30 s (open
    WebSockets that never say goodbye keep gunicorn waiting)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def sign_in(port: int, login: str, password: str, headers: dict | None = None) -> str:
    """Sign ``login`` in through the login form; returns the session cookie. ``headers`` go
    with both requests (e.g. ``X-Forwarded-For``, to spread sign-ins over addresses)."""
    headers = headers or {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login", headers=headers)
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = f"csrf_token={token}&login={login}&password={password}"
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=body, headers=form)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        sys.exit(f"signing in {login} failed: HTTP {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]
