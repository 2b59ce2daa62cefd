"""Experts: declared and verified expertise, the expert directory and expert communities."""

from community.experts import permissions
from community.experts.views import bp

__all__ = ["bp", "permissions"]
