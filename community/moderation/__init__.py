"""Moderation: flags, hidden content, the moderation queues, warnings, bans and suspensions,
new-account limits and the audit log."""

from community.moderation import limits, permissions, receivers
from community.moderation.views import bp

__all__ = ["bp", "limits", "permissions", "receivers"]
