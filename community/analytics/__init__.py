"""Insight for R&D: the idea explorer and the dashboard, with the rollup it reads."""

from community.analytics import permissions, receivers  # noqa: F401 - registers them
from community.analytics.views import bp

__all__ = ["bp"]
