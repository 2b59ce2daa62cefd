"""Reads for the notification pages: the centre, the following list, a thing's follow level."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.brainstorms.models import BrainstormSession
from community.extensions import db
from community.forums.models import Thread
from community.ideas.models import Idea
from community.notifications.models import Follow, Notification, Target
from community.notifications.visibility import Shown, resolve
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import prime_memberships

PER_PAGE = 20
FOLLOWS_PER_PAGE = 30

#: Each followable thing: its model, the action that reads it, and how it is named.
FOLLOWABLE = {
    Target.SPACE.value: (Space, "space.view", lambda s: s.name),
    Target.THREAD.value: (Thread, "thread.view", lambda t: t.title),
    Target.IDEA.value: (Idea, "idea.view", lambda i: i.title),
    Target.SESSION.value: (BrainstormSession, "brainstorm.view", lambda s: s.prompt),
}


def centre_page(user: User, page: int) -> tuple[Pagination, list[Shown]]:
    """A page of ``user``'s notifications, newest first, as they may see them now."""
    stmt = (
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
    )
    pagination = db.paginate(stmt, page=max(page, 1), per_page=PER_PAGE, error_out=False)
    return pagination, resolve(list(pagination.items), user)


def load_followable(target_type: str, target_id: int):
    """The followable thing, or None."""
    if target_type not in FOLLOWABLE:
        return None
    return db.session.get(FOLLOWABLE[target_type][0], target_id)


def may_follow(user: User, target_type: str, obj) -> bool:
    """Whoever may read a thing may follow it."""
    return obj is not None and guardian.can(user, FOLLOWABLE[target_type][1], obj)


@dataclass
class FollowRow:
    follow: Follow
    title: str | None  # None: no longer readable
    url: str | None


def following_page(user: User, page: int) -> tuple[Pagination, list[FollowRow]]:
    """A page of what ``user`` follows, each named only if they may still read it."""
    stmt = select(Follow).where(Follow.user_id == user.id).order_by(Follow.id.desc())
    pagination = db.paginate(stmt, page=max(page, 1), per_page=FOLLOWS_PER_PAGE, error_out=False)
    follows = list(pagination.items)
    found: dict[tuple[str, int], object] = {}
    for target_type, (model, _action, _name) in FOLLOWABLE.items():
        ids = {f.target_id for f in follows if f.target_type == target_type}
        stmt = select(model).where(model.id.in_(ids or {0}))
        if model is not Space:
            stmt = stmt.options(joinedload(model.space))
        for obj in db.session.scalars(stmt):
            found[(target_type, obj.id)] = obj
    prime_memberships(user, [o if isinstance(o, Space) else o.space for o in found.values()])
    urls = {
        Target.SPACE.value: lambda o: url_for("forums.space", slug=o.slug),
        Target.THREAD.value: lambda o: url_for("forums.thread", thread_id=o.id),
        Target.IDEA.value: lambda o: url_for("ideas.idea", idea_id=o.id),
        Target.SESSION.value: lambda o: url_for("brainstorms.session", session_id=o.id),
    }
    rows = []
    for f in follows:
        obj = found.get((f.target_type, f.target_id))
        if obj is not None and may_follow(user, f.target_type, obj):
            rows.append(FollowRow(f, FOLLOWABLE[f.target_type][2](obj), urls[f.target_type](obj)))
        else:
            rows.append(FollowRow(f, None, None))
    return pagination, rows
