"""Site settings: one row per key, the value stored as text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from community.database import UTCDateTime, utcnow
from community.extensions import db


class SiteSetting(db.Model):
    """A site-wide setting changed by admins; absent keys take their default."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
