"""Reads of accounts shared by pages and the API."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select

from community.accounts.models import User
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
