"""What spaces do when other features' signals fire: a former admin's reach is checked again."""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.extensions import db
from community.permissions import Role
from community.spaces.models import Membership, MembershipState, Space, Visibility
from community.spaces.operations import recheck_access


@signals.role_changed.connect
def recheck_former_admin(user, *, old_role: Role, new_role: Role, **_kwargs) -> None:
    """Site admins read every private space; one who is an admin no more reads only those
    they belong to, so the others' live connections check again."""
    if old_role != Role.ADMIN or new_role == Role.ADMIN:
        return
    member_of = select(Membership.space_id).where(
        Membership.user_id == user.id, Membership.state == MembershipState.ACTIVE.value
    )
    spaces = db.session.scalars(
        select(Space).where(
            Space.visibility == Visibility.PRIVATE.value, Space.id.not_in(member_of)
        )
    ).all()
    recheck_access(list(spaces), user)
