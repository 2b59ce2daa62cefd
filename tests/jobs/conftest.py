"""Fixtures for the job engine: jobs declared for a test only, a failed job, an admin, and a
real redis-server on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable

import pytest

from community.extensions import db
from community.jobs import operations
from community.jobs.registry import JOBS, Job
from community.permissions import Role

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def declare(monkeypatch) -> Callable:
    """``declare(name, func, retries=, backoff=, every=)``: a job for this test only."""

    def do(name: str, func: Callable, **options) -> Job:
        spec = Job(name, func, **options)
        monkeypatch.setitem(JOBS, name, spec)
        return spec

    return do


@pytest.fixture
def admin(create_user):
    return create_user("root", role=Role.ADMIN)


@pytest.fixture
def failed_job(app):
    """``failed_job(name="analytics.rebuild", arguments={})``: a row of the failed list."""

    def make(name: str = "analytics.rebuild", arguments: dict | None = None, error: str = ""):
        with app.app_context():
            row = operations.record_failure(
                name,
                arguments or {},
                error or "Traceback (most recent call last):\nRuntimeError: the disk is full",
                attempts=4,
            )
            db.session.commit()
            db.session.refresh(row)
            db.session.expunge(row)
            return row

    return make


def require_redis() -> None:
    """Skip (or, under CI, fail) when redis-server is not installed."""
    if os.path.exists(REDIS_SERVER):
        return
    message = f"{REDIS_SERVER} is missing: install Debian's redis-server (.ci/run does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of this test's own on a free loopback port; its URL (database 0)."""
    require_redis()
    redis = pytest.importorskip("redis")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [
            REDIS_SERVER,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(tmp_path),
            "--daemonize", "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:  # wait for the server to accept connections (not a race: it is starting)
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.05)
    client.close()
    yield url
    server.terminate()
    server.wait(10)
