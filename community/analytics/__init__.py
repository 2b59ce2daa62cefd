"""Insight for R&D: the idea explorer (and, to come, the dashboard)."""

from community.analytics import permissions  # noqa: F401 - registers the rules
from community.analytics.views import bp

__all__ = ["bp"]
