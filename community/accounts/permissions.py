"""Permission rules for accounts, registered with the guardian."""

from __future__ import annotations

from community.permissions import Role, guardian, has_role


@guardian.rule("profile.view")
def can_view_profile(user, target) -> bool:
    """Profiles are public while the account is active; admins see suspended ones too."""
    return target.is_active or has_role(user, Role.ADMIN)


@guardian.rule("profile.edit")
def can_edit_profile(user, target) -> bool:
    """People edit their own profile."""
    return bool(user.is_authenticated and user.is_active and user.id == target.id)


@guardian.rule("users.manage")
def can_manage_users(user, _obj) -> bool:
    """Admins see the user list."""
    return has_role(user, Role.ADMIN)


@guardian.rule("users.change_role")
def can_change_role(user, _target) -> bool:
    """Admins change site roles."""
    return has_role(user, Role.ADMIN)
