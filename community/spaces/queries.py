"""Reads of spaces shared by pages, search and the API."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.extensions import db
from community.permissions import Role, has_role
from community.spaces.models import Membership, MembershipState, Space, SpaceTag, Visibility

DIRECTORY_PER_PAGE = 24
MEMBERS_PER_PAGE = 40


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def reads_every_space(user) -> bool:
    """Whether ``user`` may read every space (then :func:`readable_spaces` filters nothing,
    and aggregates over all spaces need no space condition)."""
    return has_role(user, Role.ADMIN)


def readable_spaces(user) -> Select:
    """A select of the spaces ``user`` may read: the one rule in SQL form (see
    ``space.view``), for lists and search filters."""
    stmt = select(Space)
    if reads_every_space(user):
        return stmt
    if user is None or not getattr(user, "is_authenticated", False):
        return stmt.where(Space.visibility != Visibility.PRIVATE.value)
    member_of = select(Membership.space_id).where(
        Membership.user_id == user.id, Membership.state == MembershipState.ACTIVE.value
    )
    return stmt.where(or_(Space.visibility != Visibility.PRIVATE.value, Space.id.in_(member_of)))


def readable_space_ids(user) -> Select:
    """The ids of the spaces ``user`` may read, as a subquery."""
    return readable_spaces(user).with_only_columns(Space.id)


def directory_page(
    user,
    *,
    q: str = "",
    tag: str = "",
    mine: bool = False,
    page: int = 1,
    per_page: int = DIRECTORY_PER_PAGE,
):
    """One page of the spaces directory, most active first."""
    stmt = readable_spaces(user)
    if mine:
        if user is None or not getattr(user, "is_authenticated", False):
            return db.paginate(stmt.where(False), page=1, per_page=per_page)
        stmt = stmt.where(
            Space.id.in_(
                select(Membership.space_id).where(
                    Membership.user_id == user.id,
                    Membership.state != MembershipState.BANNED.value,
                )
            )
        )
    if q:
        like = _like(q)
        stmt = stmt.where(
            or_(
                Space.name.ilike(like, escape="\\"),
                Space.description.ilike(like, escape="\\"),
                Space.id.in_(
                    select(SpaceTag.space_id).where(SpaceTag.tag.ilike(like, escape="\\"))
                ),
            )
        )
    if tag:
        stmt = stmt.where(Space.id.in_(select(SpaceTag.space_id).where(SpaceTag.tag == tag)))
    stmt = stmt.order_by(Space.thread_count.desc(), Space.member_count.desc(), Space.id)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)


def popular_tags(user, limit: int = 12) -> list[str]:
    """The tags used by most readable spaces."""
    count = db.func.count(SpaceTag.space_id)
    rows = db.session.execute(
        select(SpaceTag.tag, count)
        .where(SpaceTag.space_id.in_(readable_space_ids(user)))
        .group_by(SpaceTag.tag)
        .order_by(count.desc(), SpaceTag.tag)
        .limit(limit)
    )
    return [tag for tag, _n in rows]


def space_by_slug(slug: str) -> Space | None:
    return db.session.scalar(select(Space).where(Space.slug == slug))


def members_page(space: Space, *, state: MembershipState, page: int = 1) -> Pagination:
    """Members in ``state``, owners and moderators first, with their users loaded."""
    role_order = db.case({"owner": 0, "moderator": 1, "expert": 2}, value=Membership.role, else_=3)
    stmt = (
        select(Membership)
        .options(joinedload(Membership.user))
        .join(User, Membership.user_id == User.id)
        .where(Membership.space_id == space.id, Membership.state == state.value)
        .order_by(role_order, User.display_name, Membership.id)
    )
    return db.paginate(stmt, page=max(page, 1), per_page=MEMBERS_PER_PAGE, error_out=False)


def pending_count(space: Space) -> int:
    return db.session.scalar(
        select(db.func.count(Membership.id)).where(
            Membership.space_id == space.id, Membership.state == MembershipState.PENDING.value
        )
    )


def staff_of(space: Space, limit: int = 8) -> list[Membership]:
    """Owners, moderators and experts of the space, for its side panel."""
    role_order = db.case({"owner": 0, "moderator": 1, "expert": 2}, value=Membership.role)
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(
                Membership.space_id == space.id,
                Membership.state == MembershipState.ACTIVE.value,
                Membership.role.in_(["owner", "moderator", "expert"]),
            )
            .order_by(role_order, Membership.id)
            .limit(limit)
        )
    )
