"""The job engine without Redis: jobs run in a transaction of their own, in a thread pool of
the process (at once under test), retried with back-off, and land in the failed list when
every attempt failed; the in-process scheduler starts periodic jobs once per period."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from community.extensions import db, mailer
from community.jobs import enqueue
from community.jobs.engine import InProcess, Scheduler, engine, in_process_schedule, run_now
from community.jobs.models import FailedJob
from community.jobs.registry import periodic_jobs
from community.mail import Message
from community.settings.models import SiteSetting
from tests.fixtures.app import make_app


def _failed(app) -> list[FailedJob]:
    with app.app_context():
        return list(db.session.scalars(select(FailedJob).order_by(FailedJob.id)))


def _setting(app, key: str) -> str | None:
    with app.app_context():
        row = db.session.get(SiteSetting, key)
        return row.value if row is not None else None


def _write_setting(key: str, value: str, fail: bool = False) -> None:
    db.session.add(SiteSetting(key=key, value=value))
    db.session.flush()
    if fail:
        raise RuntimeError("after the write")


def test_a_job_commits_its_own_transaction_and_a_failed_one_rolls_back(app, declare):
    declare("tests.write", _write_setting)
    with app.app_context():
        enqueue("tests.write", key="a", value="kept")
        enqueue("tests.write", key="b", value="lost", fail=True)
    assert _setting(app, "a") == "kept"
    assert _setting(app, "b") is None  # rolled back
    [failed] = _failed(app)
    assert failed.name == "tests.write" and failed.attempts == 1
    assert failed.arguments == {"key": "b", "value": "lost", "fail": True}
    assert failed.error.strip().endswith("RuntimeError: after the write")


def test_only_declared_jobs_with_json_arguments_are_enqueued(app, declare):
    declare("tests.write", _write_setting)
    with app.app_context():
        with pytest.raises(KeyError, match="tests.nothing"):
            enqueue("tests.nothing")
        with pytest.raises(TypeError):
            enqueue("tests.write", key=object(), value="x")
        enqueue("tests.write", key="name", value="a job's argument may be called name")
    assert _setting(app, "name") == "a job's argument may be called name"


def test_retries_follow_the_back_off_then_the_job_lands_in_the_failed_list(app, declare):
    attempts = []

    def flaky(succeed_on: int) -> None:
        attempts.append(threading.current_thread().name)
        if len(attempts) < succeed_on:
            raise ConnectionError(f"attempt {len(attempts)} failed")

    declare("tests.flaky", flaky, retries=2, backoff=(60, 600))
    with app.app_context():
        enqueue("tests.flaky", succeed_on=3)
    assert len(attempts) == 3 and _failed(app) == []
    attempts.clear()
    with app.app_context():
        enqueue("tests.flaky", succeed_on=99)
    assert len(attempts) == 3
    [failed] = _failed(app)
    assert failed.attempts == 3 and "attempt 3 failed" in failed.error
    spec = declare("tests.delays", flaky, retries=5, backoff=(10, 60))
    assert [spec.delay(attempt) for attempt in (1, 2, 3, 4)] == [10, 60, 60, 60]


@pytest.fixture
def pooled(tmp_path):
    """An app whose jobs run in its thread pool, as under `make run` (not at once)."""
    app = make_app(tmp_path, JOBS_EAGER=False, JOBS_THREADS=2)
    yield app
    assert engine(app).drain(30)


def test_without_redis_jobs_run_in_the_pool_not_in_the_request(pooled, declare):
    release, ran = threading.Event(), []

    def slow(value: str) -> None:
        assert release.wait(30)
        ran.append(threading.current_thread().name)
        _write_setting("slow", value)

    declare("tests.slow", slow)
    with pooled.app_context():
        enqueue("tests.slow", value="done")  # returns while the job waits
        assert engine().backlog() == 1
    assert _setting(pooled, "slow") is None
    release.set()
    assert engine(pooled).drain(30)
    assert ran[0].startswith("jobs") and ran[0] != threading.current_thread().name
    assert _setting(pooled, "slow") == "done" and engine(pooled).backlog() == 0


def test_the_pool_retries_after_the_back_off_and_keeps_the_failure(pooled, declare):
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("still broken")

    declare("tests.broken", broken, retries=2, backoff=(0,))
    with pooled.app_context():
        enqueue("tests.broken")
    assert engine(pooled).drain(30)
    assert len(calls) == 3
    [failed] = _failed(pooled)
    assert failed.attempts == 3 and "ValueError: still broken" in failed.error


def test_mail_from_a_request_leaves_from_the_pool(pooled):
    with pooled.test_request_context():
        mailer.send(Message(to="a@example.com", subject="Hi", text="Body"))
        db.session.commit()
    assert engine(pooled).drain(30)
    with pooled.app_context():
        assert [m.to for m in mailer.outbox] == ["a@example.com"]


def test_the_in_process_scheduler_starts_each_periodic_job_once_per_period(app, declare):
    runs = []
    declare("tests.hourly", lambda: runs.append("hourly"), every=lambda config: 3600)
    declare("tests.off", lambda: runs.append("off"), every=lambda config: 0)
    scheduler = Scheduler(app)
    assert scheduler.tick(now=1000.0) == []  # the first run comes one period after start
    assert scheduler.tick(now=1000.0 + 3599) == []
    assert scheduler.tick(now=1000.0 + 3600) == ["tests.hourly"]
    assert scheduler.tick(now=1000.0 + 3601) == []
    assert scheduler.tick(now=1000.0 + 7200) == ["tests.hourly"]
    assert runs == ["hourly", "hourly"]


def test_flask_serve_schedules_in_process_only_without_redis_and_not_under_test(app, tmp_path):
    assert in_process_schedule(app) is None  # eager under test: tests tick themselves
    (tmp_path / "pooled").mkdir()
    pooled = make_app(
        tmp_path / "pooled",
        JOBS_EAGER=False,
        EXPERT_ROUTING_INTERVAL_MINUTES=5,
        DIGEST_INTERVAL_HOURS=24,
    )
    assert isinstance(engine(pooled), InProcess)
    assert in_process_schedule(pooled) == [
        ("experts.route", 300.0),
        ("notifications.digest", 86400.0),
    ]


def test_run_now_runs_a_periodic_job_here_as_cron_does(app, create_user):
    assert run_now(app, "notifications.digest")
    assert not run_now(app, "tests.undeclared")
    [failed] = _failed(app)
    assert failed.name == "tests.undeclared" and "no job is declared" in failed.error


def test_flask_jobs_lists_retries_deletes_and_enqueues(app, failed_job, declare):
    runs = []
    declare("tests.again", lambda: runs.append(1))
    first, second = failed_job("tests.again"), failed_job()
    cli = app.test_cli_runner()
    listed = cli.invoke(args=["jobs", "failed"])
    assert listed.exit_code == 0
    assert f"{second.id}\t" in listed.output and "RuntimeError: the disk is full" in listed.output
    assert cli.invoke(args=["jobs", "retry", str(first.id)]).exit_code == 0
    assert runs == [1]
    assert cli.invoke(args=["jobs", "delete", str(second.id)]).exit_code == 0
    assert _failed(app) == []
    for bad in ("0", "-1", "99999999999", str(second.id)):
        result = cli.invoke(args=["jobs", "retry", bad])
        assert result.exit_code != 0
    assert cli.invoke(args=["jobs", "enqueue", "tests.again"]).exit_code == 0
    assert runs == [1, 1]
    unknown = cli.invoke(args=["jobs", "enqueue", "tests.nothing"])
    assert unknown.exit_code != 0 and "mail.deliver" in unknown.output
    worker = cli.invoke(args=["jobs", "worker", "--burst"])
    assert worker.exit_code != 0 and "JOBS_REDIS_URL is not set" in worker.output


def test_the_count_of_failed_jobs_is_kept_across_apps(tmp_path, failed_job, app):
    failed_job()
    again = make_app(tmp_path)  # the same database file: a restart
    with again.app_context():
        assert db.session.scalar(select(func.count(FailedJob.id))) == 1


def test_the_daily_backup_is_a_periodic_job_when_it_is_on(app):
    """The backups' daily job asks every quarter hour whether the day's backup is due."""
    names = {spec.name: period for spec, period in periodic_jobs(app.config)}
    assert "backups.daily" not in names  # TestingConfig: BACKUP_DAILY off
    app.config["BACKUP_DAILY"] = True
    names = {spec.name: period for spec, period in periodic_jobs(app.config)}
    assert names["backups.daily"] == 15 * 60
