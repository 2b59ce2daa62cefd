"""Failed jobs: a job that failed every attempt, kept for admins to read, retry or delete.

Kept in the database on both engines (in-process and Redis), so the list survives restarts and
reads the same everywhere; Redis keeps only what is queued and running.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.database import UTCDateTime, utcnow
from community.extensions import db

#: The longest error text kept (the end of the traceback is where the error is).
ERROR_MAX = 20_000


class FailedJob(db.Model):
    """One job run that failed its last attempt: its name and arguments (to retry it), the
    error, how many attempts were made and when it gave up."""

    __tablename__ = "failed_jobs"
    __table_args__ = (Index("ix_failed_jobs_failed", "failed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    arguments: Mapped[dict] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
