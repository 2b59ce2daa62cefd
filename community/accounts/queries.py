"""Reads of accounts shared by pages and the API."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select

from community.accounts.models import User
from community.accounts.operations import normalise_key
from community.extensions import db

PER_PAGE = 25


def users_page(*, q: str = "", role: str = "", page: int = 1) -> Pagination:
    """One page of users, newest first, matching ``q`` in name, username, e-mail or
    organisation."""
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc())
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                User.username.ilike(like, escape="\\"),
                User.display_name.ilike(like, escape="\\"),
                User.email.ilike(like, escape="\\"),
                User.organisation.ilike(like, escape="\\"),
            )
        )
    if role:
        stmt = stmt.where(User.role == role)
    return db.paginate(stmt, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def user_by_username(username: str) -> User | None:
    """The account whose username matches ``username`` after normalisation and case folding
    (NFKC, as usernames are unique on: ``Straße`` finds ``strasse``); one query."""
    return db.session.scalar(select(User).where(User.username_key == normalise_key(username)))


def resolve_usernames(names: list[str]) -> dict[str, str]:
    """Map each of ``names`` that belongs to an active user to that user's username
    (matching after normalisation and case folding); one query."""
    keys = {normalise_key(name): name for name in names}
    if not keys:
        return {}
    rows = db.session.execute(
        select(User.username_key, User.username).where(
            User.username_key.in_(keys), User.active.is_(True)
        )
    )
    return {keys[key]: username for key, username in rows}


def users_by_username(usernames: list[str]) -> list[User]:
    """The active users with exactly these usernames; one query."""
    if not usernames:
        return []
    return list(
        db.session.scalars(select(User).where(User.username.in_(usernames), User.active.is_(True)))
    )
