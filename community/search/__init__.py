"""Search: permission-aware full-text search in English and Chinese, behind an interface."""

from community.search import receivers
from community.search.views import bp

__all__ = ["bp", "receivers"]
