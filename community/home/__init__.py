"""The front page and site-wide preferences such as the interface language."""

from community.home.views import bp

__all__ = ["bp"]
