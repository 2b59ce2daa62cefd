"""Running jobs: each attempt in an app context and a transaction of its own, retried with
back-off, kept in the failed-jobs list when its last attempt fails; and the scheduler that
starts the periodic jobs once per period.

Two engines, one bound to each app as ``app.extensions["jobs"]`` (:func:`init_jobs`):

- :class:`RedisQueue` when ``JOBS_REDIS_URL`` is set: RQ. Web processes only enqueue;
  ``flask jobs worker`` (:func:`work`) runs the jobs, RQ's own scheduler brings retries back
  after their back-off, and our :class:`Scheduler` starts the periodic jobs. RQ was chosen
  over Celery and Dramatiq for being small and Redis-only, with a worker, retries with
  intervals and a scheduler of its own and nothing else to run. Should Redis be unreachable
  when a job is enqueued, the job runs in this process instead (a web request never fails
  for it, and the mail still leaves).
- :class:`InProcess` otherwise (the embedded default): a small thread pool in the process,
  retries on timers, and (under ``flask serve``) the same :class:`Scheduler` on a thread.
  With ``JOBS_EAGER`` (tests) a job runs at once, in the thread that enqueued it, retries
  and all, so tests need neither sleeps nor a queue to drain.

The periodic jobs run once per period however many processes run a scheduler: with Redis,
each tick claims the job's period with ``SET key NX PX period`` and only the process that
set the key enqueues it.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

from community.extensions import db
from community.jobs.operations import record_failure
from community.jobs.registry import JOBS, periodic_jobs
from community.logs import background

try:
    import redis
    from rq import Queue, Retry, SimpleWorker, get_current_job
    from rq.serializers import JSONSerializer
except ImportError:  # the `scale` extra: only needed with JOBS_REDIS_URL
    redis = None

log = logging.getLogger(__name__)

#: The RQ queue every job goes to.
QUEUE = "cocreate"
#: The Redis key a scheduler sets to claim one period of a periodic job.
PERIOD_KEY = "cocreate:jobs:period:{name}"
#: Seconds between two looks of a scheduler at the periodic jobs.
TICK = 15.0
#: Seconds a web process waits for Redis before running a job in the process instead.
REDIS_TIMEOUT = 2
#: How long Redis keeps a finished job, and RQ's own record of a failed one (ours is in the
#: database): seconds.
RESULT_TTL = 60 * 60
FAILURE_TTL = 24 * 60 * 60


def perform(app: Flask, name: str, arguments: dict, *, attempt: int, final: bool):
    """Run one attempt of job ``name``: commit what it did, or roll it back; when this was its
    last attempt, keep it in the failed-jobs list. Returns the error, or None."""
    spec = JOBS.get(name)
    with app.app_context():
        try:
            if spec is None:
                raise LookupError(f"no job is declared as {name!r}")
            spec.func(**arguments)
            db.session.commit()
            return None
        except Exception as error:
            db.session.rollback()
            if not final:
                background.warning(
                    "job %s failed (attempt %d); it will be retried", name, attempt, exc_info=True
                )
                return error
            background.exception("job %s failed (attempt %d); giving up", name, attempt)
            _keep_failure(name, arguments, traceback.format_exc(), attempt)
            return error
        finally:
            db.session.remove()


def _keep_failure(name: str, arguments: dict, error: str, attempts: int) -> None:
    try:
        record_failure(name, arguments, error, attempts=attempts)
        db.session.commit()
    except Exception:
        db.session.rollback()
        background.exception("could not keep failed job %s in the failed-jobs list", name)


class InProcess:
    """Jobs in a thread pool of this process (``threads`` at once), or at once (``eager``)."""

    kind = "in-process"

    def __init__(self, app: Flask, *, threads: int, eager: bool) -> None:
        self.app = app
        self.threads = threads
        self.eager = eager
        self._executor: ThreadPoolExecutor | None = None
        self._pending = 0  # jobs enqueued and not yet finished, waiting retries included
        self._cond = threading.Condition()

    def enqueue(self, name: str, arguments: dict) -> None:
        """Run the job in the background (at once when eager)."""
        if self.eager:
            retries = JOBS[name].retries
            for attempt in range(1, retries + 2):
                final = attempt > retries
                if perform(self.app, name, arguments, attempt=attempt, final=final) is None:
                    return
            return
        self._submit(name, arguments, attempt=1, delay=0)

    def _submit(self, name: str, arguments: dict, *, attempt: int, delay: float) -> None:
        with self._cond:
            self._pending += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="jobs")
        if delay:
            timer = threading.Timer(delay, self._start, (name, arguments, attempt))
            timer.daemon = True
            timer.start()
        else:
            self._start(name, arguments, attempt)

    def _start(self, name: str, arguments: dict, attempt: int) -> None:
        self._executor.submit(self._run, name, arguments, attempt)

    def _run(self, name: str, arguments: dict, attempt: int) -> None:
        try:
            spec = JOBS.get(name)
            retries = spec.retries if spec is not None else 0
            final = attempt > retries
            error = perform(self.app, name, arguments, attempt=attempt, final=final)
            if error is not None and not final:
                self._submit(name, arguments, attempt=attempt + 1, delay=spec.delay(attempt))
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def backlog(self) -> int:
        """Jobs enqueued and not finished (waiting retries included)."""
        return self._pending

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job enqueued so far has finished (retries too); True if they
        did within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def ping(self) -> None:
        """Nothing to reach."""


class RedisQueue:
    """Jobs on an RQ queue in Redis, run by ``flask jobs worker``."""

    kind = "redis"

    def __init__(self, app: Flask, url: str) -> None:
        if redis is None:
            raise RuntimeError("JOBS_REDIS_URL needs the rq package: pip install -e '.[scale]'")
        self.app = app
        self.url = url
        self.connection = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        self.queue = Queue(QUEUE, connection=self.connection, serializer=JSONSerializer)
        self.fallback = InProcess(app, threads=app.config["JOBS_THREADS"], eager=False)

    def enqueue(self, name: str, arguments: dict) -> None:
        """Put the job on the queue; run it in this process when Redis does not answer."""
        spec = JOBS[name]
        retry = Retry(max=spec.retries, interval=list(spec.backoff)) if spec.retries else None
        try:
            self.queue.enqueue(
                run_queued,
                name,
                arguments,
                retry=retry,
                job_timeout=spec.timeout,
                description=name,
                result_ttl=RESULT_TTL,
                failure_ttl=FAILURE_TTL,
            )
        except redis.RedisError:
            background.exception("the job queue is unreachable; running %s in this process", name)
            self.fallback.enqueue(name, arguments)

    def backlog(self) -> int:
        """Jobs waiting on the queue, and retries waiting for their time."""
        return self.queue.count + self.queue.scheduled_job_registry.count

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for the jobs this process ran itself (the worker runs the rest)."""
        return self.fallback.drain(timeout)

    def ping(self) -> None:
        """Raise unless Redis answers."""
        self.connection.ping()


def run_queued(name: str, arguments: dict) -> None:
    """What the RQ worker runs for every job: one attempt, raised again when it failed so
    that RQ retries it (its last attempt is kept in the failed-jobs list first)."""
    queued = get_current_job()
    spec = JOBS.get(name)
    retries = spec.retries if spec is not None else 0
    left = queued.retries_left if queued is not None and queued.retries_left else 0
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    error = perform(app, name, arguments, attempt=retries - left + 1, final=not left)
    if error is not None:
        raise error


class Scheduler:
    """Starts the periodic jobs: with a Redis ``connection``, once per period across every
    process that runs one; without, in this process (the first run one period after start)."""

    def __init__(self, app: Flask, connection=None) -> None:
        self.app = app
        self.connection = connection
        self._due: dict[str, float] = {}

    def tick(self, now: float | None = None) -> list[str]:
        """Enqueue every periodic job whose period has come; returns their names."""
        now = time.time() if now is None else now
        started = []
        for spec, period in periodic_jobs(self.app.config):
            if self._claim(spec.name, period, now):
                self.app.extensions["jobs"].enqueue(spec.name, {})
                started.append(spec.name)
                log.info("scheduled job %s (every %g s)", spec.name, period)
        return started

    def _claim(self, name: str, period: float, now: float) -> bool:
        if self.connection is not None:
            key = PERIOD_KEY.format(name=name)
            return bool(self.connection.set(key, repr(now), nx=True, px=int(period * 1000)))
        due = self._due.setdefault(name, now + period)
        if now < due:
            return False
        self._due[name] = now + period
        return True

    def run(self, stop: threading.Event) -> None:
        """Tick every :data:`TICK` seconds until ``stop`` is set; a failed tick is logged."""
        while True:
            try:
                self.tick()
            except Exception:
                background.exception("the job scheduler's tick failed")
            if stop.wait(TICK):
                return

    def start(self) -> threading.Event:
        """Run :meth:`run` on a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        threading.Thread(target=self.run, args=(stop,), name="jobs-scheduler", daemon=True).start()
        return stop


def init_jobs(app: Flask) -> None:
    """Bind the engine ``JOBS_REDIS_URL`` chooses to ``app``."""
    url = app.config["JOBS_REDIS_URL"]
    if url:
        app.extensions["jobs"] = RedisQueue(app, url)
    else:
        app.extensions["jobs"] = InProcess(
            app, threads=app.config["JOBS_THREADS"], eager=app.config["JOBS_EAGER"]
        )


def engine(app: Flask | None = None) -> InProcess | RedisQueue:
    """The engine bound to ``app`` (default: the current app)."""
    return (app or current_app).extensions["jobs"]


def run_now(app: Flask, name: str) -> bool:
    """Run job ``name`` (no arguments) here and now, once, as cron does; True if it
    succeeded (else it is in the failed-jobs list)."""
    return perform(app, name, {}, attempt=1, final=True) is None


def in_process_schedule(app: Flask) -> list[tuple[str, float]] | None:
    """What ``flask serve`` schedules on a thread of its own: without Redis, the periodic
    jobs (name, seconds); None when a worker schedules them (Redis) or tests do (eager)."""
    jobs = engine(app)
    if not isinstance(jobs, InProcess) or jobs.eager:
        return None
    return [(spec.name, period) for spec, period in periodic_jobs(app.config)]


def worker_and_scheduler(app: Flask):
    """The RQ worker ``flask jobs worker`` runs, and the scheduler beside it, each on a Redis
    connection of its own: the worker's blocks up to its dequeue timeout, which RQ sets on its
    connection pool (a connection made before that, or shared with the scheduler's short
    commands, would keep redis-py's 5-second default and end the worker when the queue is
    idle for 5 seconds)."""
    jobs = engine(app)
    if not isinstance(jobs, RedisQueue):
        raise RuntimeError(
            "JOBS_REDIS_URL is not set: jobs run inside the web process (flask serve)."
        )
    connection = redis.Redis.from_url(jobs.url)
    queue = Queue(QUEUE, connection=connection, serializer=JSONSerializer)
    worker = SimpleWorker([queue], connection=connection, serializer=JSONSerializer)
    scheduler_connection = redis.Redis.from_url(
        jobs.url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    return worker, Scheduler(app, scheduler_connection)


def work(app: Flask, *, burst: bool = False) -> None:
    """``flask jobs worker``: run queued jobs, retries when their time comes, and the periodic
    jobs' scheduler. ``burst``: schedule once, run what is queued, and return."""
    worker, scheduler = worker_and_scheduler(app)
    stop = None
    if burst:
        scheduler.tick()
    else:
        stop = scheduler.start()
    try:
        worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
    finally:
        if stop is not None:
            stop.set()
