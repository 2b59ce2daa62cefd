"""The job engine on Redis (RQ), against a real redis-server: web processes only enqueue,
`flask jobs worker` runs the jobs with their retries, the periodic jobs start once per period
however many workers run, and a Redis that does not answer never loses a job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import rq
from rq.serializers import JSONSerializer
from sqlalchemy import select

from community.config import PROJECT_ROOT
from community.extensions import db, mailer
from community.jobs import enqueue
from community.jobs.engine import (
    PERIOD_KEY,
    QUEUE,
    RedisQueue,
    engine,
    work,
    worker_and_scheduler,
)
from community.jobs.models import FailedJob
from community.mail import Message
from community.settings.models import SiteSetting
from tests.fixtures.app import make_app
from tests.fixtures.redis import _free_port


def _setting(app, key: str) -> str | None:
    with app.app_context():
        row = db.session.get(SiteSetting, key)
        return row.value if row is not None else None


def _write(key: str) -> None:
    db.session.add(SiteSetting(key=key, value="ran"))


def _finished(url: str) -> list[str]:
    """The names of the jobs the workers finished."""
    connection = redis.Redis.from_url(url)
    queue = rq.Queue(QUEUE, connection=connection, serializer=JSONSerializer)
    ids = queue.finished_job_registry.get_job_ids()
    jobs = rq.job.Job.fetch_many(ids, connection=connection, serializer=JSONSerializer)
    return sorted(job.description for job in jobs)


@pytest.fixture
def queued(tmp_path, redis_url):
    app = make_app(tmp_path, JOBS_REDIS_URL=redis_url)
    assert isinstance(engine(app), RedisQueue)
    return app


def test_web_processes_enqueue_and_the_worker_runs_the_jobs(queued, declare):
    client = queued.test_client()
    declare("tests.write", _write)
    with queued.test_request_context():
        enqueue("tests.write", key="queued")
        mailer.send(Message(to="a@example.com", subject="Hi", text="Body"))
        db.session.commit()
        assert mailer.outbox == []  # not sent by the web process
    assert _setting(queued, "queued") is None
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["job_queue"] == "ok"
    assert ready.json["jobs"] == {"engine": "redis", "backlog": 2}
    with queued.app_context():
        work(queued, burst=True)
        assert [m.to for m in mailer.outbox] == ["a@example.com"]
    assert _setting(queued, "queued") == "ran"
    assert client.get("/readyz").json["jobs"]["backlog"] == 0


def test_the_worker_retries_then_keeps_the_failure(queued, declare):
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError(f"attempt {len(calls)} failed")

    declare("tests.broken", broken, retries=2, backoff=(0,))
    with queued.app_context():
        enqueue("tests.broken")
        work(queued, burst=True)
        [failed] = db.session.scalars(select(FailedJob)).all()
    assert len(calls) == 3
    assert failed.name == "tests.broken" and failed.attempts == 3
    assert "ValueError: attempt 3 failed" in failed.error


def test_with_redis_down_a_job_runs_in_the_process_and_readyz_says_so(tmp_path, declare):
    app = make_app(tmp_path, JOBS_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    declare("tests.write", _write)
    with app.app_context():
        enqueue("tests.write", key="fallback")
        assert engine(app).drain(30)
    assert _setting(app, "fallback") == "ran"
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["down"] == ["job_queue"]
    assert ready.json["jobs"] == {"engine": "redis", "backlog": None}


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this interpreter and fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_workers_start_each_periodic_job_once_per_period(tmp_path, redis_url):
    app = make_app(tmp_path)  # the database file both workers share
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COCREATE_", "FLASK_", "DATABASE_", "JOBS_"))
    }
    env.update(
        COCREATE_ENV="development",
        COCREATE_INSTANCE=str(Path(tmp_path) / "instance"),
        DATABASE_URL=database,
        SEARCH_INDEX_DIR=str(Path(tmp_path) / "search"),
        JOBS_REDIS_URL=redis_url,
        EXPERT_ROUTING_INTERVAL_MINUTES="60",
        DIGEST_INTERVAL_HOURS="24",
        BACKUP_DAILY="false",  # the two periodic jobs this test counts
    )
    workers = [_worker(env), _worker(env)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    scheduled = "\n".join(outputs).count("scheduled job ")
    assert scheduled == 2, outputs
    assert _finished(redis_url) == ["experts.route", "notifications.digest"]
    # A third worker within the period starts nothing, and each claim lasts its period.
    third = _worker(env)
    assert third.communicate(timeout=120)[0].count("scheduled job ") == 0
    assert third.returncode == 0
    assert _finished(redis_url) == ["experts.route", "notifications.digest"]
    connection = redis.Redis.from_url(redis_url)
    route_ttl = connection.pttl(PERIOD_KEY.format(name="experts.route"))
    digest_ttl = connection.pttl(PERIOD_KEY.format(name="notifications.digest"))
    assert 0 < route_ttl <= 3600 * 1000 and 3600 * 1000 < digest_ttl <= 86400 * 1000


def test_the_worker_blocks_on_a_connection_of_its_own(queued):
    """redis-py's connections time out after 5 s by default: the worker's must outlast its
    blocking wait for a job (RQ sets that on its pool), and the scheduler's short commands
    must not hand it a connection made before (a worker once quit after 5 idle seconds)."""
    worker, scheduler = worker_and_scheduler(queued)
    scheduler.tick()  # makes the scheduler's connection first, as the running worker does
    timeout = worker.connection.connection_pool.make_connection().socket_timeout
    assert timeout > worker.dequeue_timeout
    assert scheduler.connection.connection_pool is not worker.connection.connection_pool
