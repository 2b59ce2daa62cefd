"""Spaces: communities with visibility, members, roles, join requests, bans and invites."""

from community.spaces import permissions
from community.spaces.views import bp

__all__ = ["bp", "permissions"]
