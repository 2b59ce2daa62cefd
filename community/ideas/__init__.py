"""Ideas: proposals the community votes on, co-designs and follows to a release."""

from community.ideas import permissions, receivers
from community.ideas.views import bp

__all__ = ["bp", "permissions", "receivers"]
