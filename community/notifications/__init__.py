"""Notifications: following spaces, threads, ideas and sessions; the notification centre with
its live unread count; e-mail immediately or in a daily digest, with one-click unsubscribe."""

from community.notifications import receivers
from community.notifications.views import bp

__all__ = ["bp", "receivers"]
