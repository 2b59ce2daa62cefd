"""Permission rules for backups."""

from community.permissions import Role, guardian, has_role


@guardian.rule("backups.manage")
def can_manage_backups(user, _obj) -> bool:
    """Admins list, make, download and delete backups (a backup holds every private space and
    every account's e-mail address and password hash)."""
    return has_role(user, Role.ADMIN)
