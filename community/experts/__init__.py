"""Experts: declared and verified expertise, the expert directory, expert communities, and
reputation (points, badges, leaderboards)."""

from community.experts import leaderboards, permissions, reputation
from community.experts.views import bp

__all__ = ["bp", "leaderboards", "permissions", "reputation"]
