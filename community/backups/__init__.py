"""Backups of the whole site: ``flask backup`` / ``flask restore``, the daily backup the job
engine runs (``schedule.run_scheduled``) and the admin page that lists them."""

from community.backups import permissions, schedule  # schedule declares the daily job
from community.backups.views import bp

__all__ = ["bp", "permissions", "schedule"]
