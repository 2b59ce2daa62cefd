"""Forums: discussions, questions with accepted answers, and co-design threads in spaces."""

from community.forums import permissions, receivers
from community.forums.views import bp

__all__ = ["bp", "permissions", "receivers"]
