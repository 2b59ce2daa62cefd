"""The jobs every feature declares, by name, and :func:`enqueue`, the one way to start one.

A feature declares a job with :func:`job` on a plain function of keyword arguments::

    @job("mail.deliver", retries=3, backoff=(10, 60, 300))
    def deliver(message: dict) -> None: ...

    @job("notifications.digest", every=lambda config: config["DIGEST_INTERVAL_HOURS"] * 3600)
    def digest() -> None: ...

and starts it with ``enqueue("mail.deliver", message=...)`` once its transaction has committed
(``signals.on_commit(enqueue, …)``): the job reads the database as committed. Arguments are
JSON values (they cross Redis and are kept with a failed job). ``every`` makes a job periodic:
a function of ``app.config`` giving its period in seconds (0 or None: not scheduled).

This module imports nothing of the project, so that the skeleton (``community/mail.py``) can
declare jobs too; the engine bound to the app (``community/jobs/engine.py``) runs them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

#: How long one run of a job may take before the worker stops it (seconds).
DEFAULT_TIMEOUT = 30 * 60


@dataclass(frozen=True)
class Job:
    """A declared job: its function, how often it is retried and after how long each time,
    and for a periodic job, its period."""

    name: str
    func: Callable[..., Any]
    retries: int = 0
    backoff: tuple[int, ...] = ()
    every: Callable[[Mapping[str, Any]], float | None] | None = None
    timeout: int = DEFAULT_TIMEOUT

    def delay(self, attempt: int) -> int:
        """Seconds to wait before the attempt after ``attempt`` (1-based)."""
        if not self.backoff:
            return 0
        return self.backoff[min(attempt, len(self.backoff)) - 1]

    def period(self, config: Mapping[str, Any]) -> float:
        """Seconds between runs of a periodic job under ``config``; 0 when it is not one."""
        if self.every is None:
            return 0.0
        return float(self.every(config) or 0)


#: Every declared job, by name.
JOBS: dict[str, Job] = {}


def job(
    name: str,
    *,
    retries: int = 0,
    backoff: tuple[int, ...] = (),
    every: Callable[[Mapping[str, Any]], float | None] | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated function as the job ``name`` (returned unchanged)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in JOBS and JOBS[name].func is not func:
            raise RuntimeError(f"job {name!r} is declared twice")
        JOBS[name] = Job(name, func, retries, tuple(backoff), every, timeout)
        return func

    return register


def periodic_jobs(config: Mapping[str, Any]) -> list[tuple[Job, float]]:
    """The periodic jobs scheduled under ``config``, with their periods (seconds)."""
    found = [(spec, spec.period(config)) for spec in JOBS.values()]
    return sorted(((spec, period) for spec, period in found if period > 0), key=lambda p: p[0].name)


def check_arguments(name: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a job started by name, refused unless the job is declared and they
    are JSON values."""
    if name not in JOBS:
        raise KeyError(f"no job is declared as {name!r}")
    return json.loads(json.dumps(dict(kwargs)))


def enqueue(name: str, /, **kwargs: Any) -> None:
    """Start the job ``name`` with ``kwargs``: on the app's queue (Redis) when one is
    configured, else in a background thread of this process (at once under test)."""
    arguments = check_arguments(name, kwargs)
    current_app.extensions["jobs"].enqueue(name, arguments)
