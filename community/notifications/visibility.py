"""What a notification shows its recipient *now*: the thing it points at is loaded and the
recipient's right to read it asked again, so a thread moved to a private space or a ban since
the notification was made hides its title, excerpt and link.

:func:`resolve` loads everything a list of notifications points at with a fixed number of
queries, whatever the list's length and mix of kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.brainstorms.models import BrainstormSession
from community.extensions import db
from community.forums.models import Post, Thread
from community.forums.queries import post_url
from community.ideas.models import STATUS_LABELS, Idea
from community.notifications.kinds import KINDS
from community.notifications.models import Notification
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import prime_memberships


@dataclass
class Shown:
    """A notification as its recipient may see it: ``readable`` False hides text and link."""

    notification: Notification
    readable: bool
    text: str
    link: Callable[[], str] | None
    actor: User | None

    @property
    def id(self) -> int:
        return self.notification.id

    @property
    def url(self) -> str | None:
        """Where it leads (worked out only when asked: a reply's page costs a query)."""
        return self.link() if self.link is not None else None


def _by_id(model, ids: set[int], *options) -> dict:
    # Always run, even for no ids, so a page's query count does not depend on its mix.
    stmt = select(model).where(model.id.in_(ids or {0}))
    if options:
        stmt = stmt.options(*options)
    return {row.id: row for row in db.session.scalars(stmt).unique()}


def _ids(notifications: list[Notification], attr: str) -> set[int]:
    return {getattr(n, attr) for n in notifications if getattr(n, attr)}


def resolve(notifications: list[Notification], user: User) -> list[Shown]:
    """Each notification as ``user`` may see it now (in the order given)."""
    posts = _by_id(Post, _ids(notifications, "post_id"))
    thread_ids = _ids(notifications, "thread_id") | {p.thread_id for p in posts.values()}
    threads = _by_id(Thread, thread_ids, joinedload(Thread.space))
    ideas = _by_id(Idea, _ids(notifications, "idea_id"), joinedload(Idea.space))
    sessions = _by_id(
        BrainstormSession, _ids(notifications, "session_id"), joinedload(BrainstormSession.space)
    )
    spaces = _by_id(Space, _ids(notifications, "space_id"))
    actors = _by_id(User, _ids(notifications, "actor_id"))
    every_space = {s.id: s for s in spaces.values()}
    for obj in (*threads.values(), *ideas.values(), *sessions.values()):
        every_space[obj.space.id] = obj.space
    prime_memberships(user, list(every_space.values()))
    found = {"posts": posts, "threads": threads, "ideas": ideas, "sessions": sessions}
    return [_show(n, user, found, spaces, actors) for n in notifications]


def _target(n: Notification, found: dict, spaces: dict) -> tuple | None:
    """(view action, object, title, link) of what ``n`` points at; None when it is gone."""
    if n.post_id or n.thread_id:
        post = found["posts"].get(n.post_id) if n.post_id else None
        thread_id = post.thread_id if post else n.thread_id
        thread = found["threads"].get(thread_id)
        if thread is None or (n.post_id and (post is None or post.is_deleted)):
            return None
        if post is not None:
            return "thread.view", thread, thread.title, lambda: post_url(post)
        return (
            "thread.view",
            thread,
            thread.title,
            lambda: url_for("forums.thread", thread_id=thread.id),
        )
    if n.idea_id:
        idea = found["ideas"].get(n.idea_id)
        if idea is None:
            return None
        return "idea.view", idea, idea.title, lambda: url_for("ideas.idea", idea_id=idea.id)
    if n.session_id:
        session = found["sessions"].get(n.session_id)
        if session is None:
            return None
        url = url_for("brainstorms.session", session_id=session.id)
        return "brainstorm.view", session, session.prompt, lambda: url
    space = spaces.get(n.space_id)
    if space is None:
        if n.kind == "moderation_decision":  # about the account: the warnings page says more
            url = url_for("moderation.my_warnings")
            return "notifications.own", n, _("your account"), lambda: url
        return None
    if n.kind == "join_requested":
        url = url_for("spaces.members", slug=space.slug)
        return "space.moderate", space, space.name, lambda: url
    url = url_for("forums.space", slug=space.slug)
    return "space.view", space, space.name, lambda: url


def _hidden_from(user: User, n: Notification, found: dict) -> bool:
    """Content hidden pending review shows only to its author and the space's moderators
    (the author of a moderation decision is always told what it was about)."""
    if n.kind == "moderation_decision":
        return False
    post = found["posts"].get(n.post_id) if n.post_id else None
    thread = found["threads"].get(post.thread_id if post else n.thread_id)
    idea = found["ideas"].get(n.idea_id) if n.idea_id else None
    for obj in (post, thread, idea):
        if obj is not None and obj.is_hidden and obj.author_id != user.id:
            return not guardian.can(
                user, "space.moderate", obj.space if idea is obj else thread.space
            )
    return False


def _show(n: Notification, user: User, found: dict, spaces: dict, actors: dict) -> Shown:
    target = _target(n, found, spaces)
    actor = actors.get(n.actor_id)
    readable = target is not None and (
        target[0] == "notifications.own" or guardian.can(user, target[0], target[1])
    )
    if readable and _hidden_from(user, n, found):
        readable = False
    if not readable or n.kind not in KINDS:
        return Shown(n, False, _("This is no longer available to you."), None, None)
    _action, _obj, title, link = target
    params = {
        **(n.data or {}),
        "actor": actor.display_name if actor else _("Someone"),
        "title": title,
    }
    if "status" in params:
        params["status"] = str(STATUS_LABELS.get(params["status"], params["status"]))
    return Shown(n, True, KINDS[n.kind].text(params), link, actor)
