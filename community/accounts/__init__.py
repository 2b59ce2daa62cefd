"""Accounts: registration, sign-in, passwords, profiles and site roles."""

from community.accounts import permissions, receivers
from community.accounts.views import bp

__all__ = ["bp", "permissions", "receivers"]
