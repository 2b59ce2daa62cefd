"""Brainstorms: live sessions where a space writes sticky notes together, run by a facilitator."""

from community.brainstorms import permissions, receivers
from community.brainstorms.views import bp

__all__ = ["bp", "permissions", "receivers"]
