"""Experts: declared and verified expertise, the expert directory, expert communities,
questions routed to experts, and reputation (points, badges, leaderboards)."""

from community.experts import leaderboards, permissions, receivers, reputation
from community.experts.views import bp

__all__ = ["bp", "leaderboards", "permissions", "receivers", "reputation"]
