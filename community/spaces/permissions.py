"""Who may see and do what in a space: the rules behind every space and forum check.

Membership lookups are cached for the request in ``g`` so that checking many things on one
page costs one query per space, not one per check.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import ColumnElement, Select, and_, select

from community.extensions import db
from community.permissions import Role, guardian, has_role
from community.settings.operations import get_setting
from community.spaces.models import Membership, MembershipState, Space, SpaceRole, Visibility


def _cache() -> dict:
    if not has_app_context():
        return {}
    if "_memberships" not in g:
        g._memberships = {}
    return g._memberships


def membership_of(user, space: Space) -> Membership | None:
    """``user``'s membership row in ``space`` (any state), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    key = (user.id, space.id)
    cache = _cache()
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.space_id == space.id)
        )
    return cache[key]


def one_with_membership(stmt: Select, user, space_id: ColumnElement[int]) -> Any | None:
    """The one object ``stmt`` selects (None if none), read in the same query as ``user``'s
    membership of its space (``space_id``: the column of ``stmt`` naming the space), which is
    kept for the request as :func:`membership_of` keeps it: a page loads what it shows and its
    reader's membership at once."""
    if user is None or not getattr(user, "is_authenticated", False):
        return db.session.scalar(stmt)
    joined = stmt.add_columns(space_id, Membership).outerjoin(
        Membership, and_(Membership.space_id == space_id, Membership.user_id == user.id)
    )
    row = db.session.execute(joined).first()
    if row is None:
        return None
    found, found_space_id, membership = row
    _cache().setdefault((user.id, found_space_id), membership)
    return found


def remember_membership(user_id: int, space_id: int, membership: Membership | None) -> None:
    """Keep the request cache right after an operation changed a membership."""
    _cache()[(user_id, space_id)] = membership


def prime_memberships(user, spaces: list[Space]) -> None:
    """Load ``user``'s memberships in all ``spaces`` with one query (for lists)."""
    if user is None or not getattr(user, "is_authenticated", False) or not spaces:
        return
    cache = _cache()
    wanted = [s.id for s in spaces if (user.id, s.id) not in cache]
    if not wanted:
        return
    rows = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.space_id.in_(wanted))
    )
    found = {m.space_id: m for m in rows}
    for space_id in wanted:
        cache[(user.id, space_id)] = found.get(space_id)


def prime_members(space: Space, user_ids: list[int]) -> None:
    """Load many users' memberships in one ``space`` with one query (checks on many people)."""
    cache = _cache()
    wanted = [uid for uid in set(user_ids) if (uid, space.id) not in cache]
    if not wanted:
        return
    rows = db.session.scalars(
        select(Membership).where(Membership.space_id == space.id, Membership.user_id.in_(wanted))
    )
    found = {m.user_id: m for m in rows}
    for user_id in wanted:
        cache[(user_id, space.id)] = found.get(user_id)


def active_role(user, space: Space) -> SpaceRole | None:
    """The user's role in the space if they are an active (not banned) member."""
    membership = membership_of(user, space)
    if membership is None or membership.state != MembershipState.ACTIVE:
        return None
    return membership.space_role


def is_banned(user, space: Space) -> bool:
    membership = membership_of(user, space)
    return membership is not None and membership.is_banned()


@guardian.rule("space.create")
def can_create_space(user, _obj) -> bool:
    """Creating spaces is open to the role named by the site setting, and above."""
    return has_role(user, Role(get_setting("space_creation_role")))


@guardian.rule("space.view")
def can_view_space(user, space: Space) -> bool:
    """Public and restricted spaces are open to all; private ones to their members."""
    if space.visibility != Visibility.PRIVATE:
        return True
    if has_role(user, Role.ADMIN):
        return True
    return active_role(user, space) is not None


@guardian.rule("space.join")
def can_join_space(user, space: Space) -> bool:
    """One-click joining: public spaces, for signed-in users who are not in it already.
    Expert communities always need approval."""
    return (
        space.visibility == Visibility.PUBLIC
        and not space.expert_community
        and has_role(user, Role.MEMBER)
        and membership_of(user, space) is None
    )


@guardian.rule("space.request")
def can_request_to_join(user, space: Space) -> bool:
    """Asking to join a restricted space or a public expert community (private ones are
    asked through an invite link)."""
    asks = space.visibility == Visibility.RESTRICTED or (
        space.visibility == Visibility.PUBLIC and space.expert_community
    )
    return asks and has_role(user, Role.MEMBER) and membership_of(user, space) is None


@guardian.rule("space.leave")
def can_leave_space(user, space: Space) -> bool:
    membership = membership_of(user, space)
    return membership is not None and membership.state != MembershipState.BANNED


@guardian.rule("space.post")
def can_post_in_space(user, space: Space) -> bool:
    """Writing needs an active membership (site admins may write anywhere)."""
    if not has_role(user, Role.MEMBER):
        return False
    if has_role(user, Role.ADMIN):
        return True
    return active_role(user, space) is not None


@guardian.rule("space.answer_as_expert")
def is_space_expert(user, space: Space) -> bool:
    """Space experts, moderators and owners (and site admins)."""
    if has_role(user, Role.ADMIN):
        return True
    role = active_role(user, space)
    return role is not None and role.at_least(SpaceRole.EXPERT)


@guardian.rule("space.moderate")
def can_moderate_space(user, space: Space) -> bool:
    """Space moderators and owners; site admins; site moderators outside private spaces."""
    if has_role(user, Role.ADMIN):
        return True
    role = active_role(user, space)
    if role is not None and role.at_least(SpaceRole.MODERATOR):
        return True
    return space.visibility != Visibility.PRIVATE and has_role(user, Role.MODERATOR)


@guardian.rule("space.manage")
def can_manage_space(user, space: Space) -> bool:
    """Owners (and site admins) edit the space and appoint moderators and owners."""
    if has_role(user, Role.ADMIN):
        return True
    role = active_role(user, space)
    return role is not None and role == SpaceRole.OWNER
