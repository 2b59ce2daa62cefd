"""Site settings that admins change in the browser (e.g. who may create spaces)."""

from community.settings import permissions
from community.settings.views import bp

__all__ = ["bp", "permissions"]
