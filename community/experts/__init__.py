"""Experts: declared and verified expertise, the expert directory, expert communities and
questions routed to experts."""

from community.experts import permissions, receivers
from community.experts.views import bp

__all__ = ["bp", "permissions", "receivers"]
