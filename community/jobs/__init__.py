"""Background work on one job engine: RQ on Redis when ``JOBS_REDIS_URL`` is set, a small
thread pool in the process otherwise (at once under test).

Features declare jobs and start them through :mod:`community.jobs.registry` (``job``,
``enqueue``), re-exported here; ``engine.py`` runs them (an app context and a transaction of
their own each, retries with back-off, a failed-jobs list in the database) and schedules the
periodic ones once per period however many processes run. ``views.py`` is the admins' page
of failed jobs, ``commands.py`` the ``flask jobs`` verbs.

This package's ``__init__`` stays light (the skeleton's ``community/mail.py`` declares a job,
and ``community/extensions.py`` imports it): the blueprint is ``community.jobs.views.bp``.
"""

from community.jobs.registry import enqueue, job

__all__ = ["enqueue", "job"]
