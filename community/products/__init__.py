"""Products, releases, the public roadmap and the changelog: following an idea to the
release that delivered it."""

from community.products import permissions
from community.products.views import bp

__all__ = ["bp", "permissions"]
