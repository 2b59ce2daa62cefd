"""Permission rules for site settings."""

from community.permissions import Role, guardian, has_role


@guardian.rule("site.configure")
def can_configure_site(user, _obj) -> bool:
    """Admins change site settings."""
    return has_role(user, Role.ADMIN)
