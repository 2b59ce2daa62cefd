"""Permission rules for expertise: declaring, verifying and revoking, with the guardian."""

from __future__ import annotations

from community.experts.models import Expertise
from community.permissions import Role, guardian, has_role
from community.spaces.models import Space, SpaceRole
from community.spaces.permissions import active_role


def _is_self(user, expertise: Expertise) -> bool:
    return getattr(user, "id", None) == expertise.user_id


def runs_space(user, space: Space) -> bool:
    """Active moderators and owners of the space itself (site moderators do not verify)."""
    role = active_role(user, space)
    return role is not None and role.at_least(SpaceRole.MODERATOR)


@guardian.rule("expertise.declare")
def can_declare_expertise(user, target) -> bool:
    """People declare their own expertise."""
    return has_role(user, Role.MEMBER) and getattr(target, "id", None) == user.id


@guardian.rule("expertise.verify")
def can_verify_site_wide(user, expertise: Expertise) -> bool:
    """Site admins verify anyone's tag but their own."""
    return has_role(user, Role.ADMIN) and not _is_self(user, expertise)


@guardian.rule("expertise.verify_in")
def can_verify_in_space(user, space: Space) -> bool:
    """A space's moderators and owners (and site admins) verify its members' tags; the
    operation also refuses their own and non-members'."""
    if not has_role(user, Role.MEMBER):
        return False
    return has_role(user, Role.ADMIN) or runs_space(user, space)


@guardian.rule("expertise.revoke")
def can_revoke(user, expertise: Expertise) -> bool:
    """Site admins revoke any verification; space moderators and owners those made in their
    space."""
    if has_role(user, Role.ADMIN):
        return True
    space = expertise.verified_in_space
    return space is not None and has_role(user, Role.MEMBER) and runs_space(user, space)
