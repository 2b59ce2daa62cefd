"""Fixtures for the job engine: jobs declared for a test only, a failed job, an admin, and a
real redis-server (tests/fixtures/redis.py) by its URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from community.extensions import db
from community.jobs import operations
from community.jobs.registry import JOBS, Job
from community.permissions import Role


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


@pytest.fixture
def redis_url(redis_server) -> str:
    """A redis-server of this test's own on a free loopback port; its URL (database 0)."""
    return redis_server.url
