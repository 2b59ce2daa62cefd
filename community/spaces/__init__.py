"""Spaces: communities with visibility, members, roles, join requests, bans and invites."""

from community.spaces import permissions, receivers
from community.spaces.views import bp

__all__ = ["bp", "permissions", "receivers"]
