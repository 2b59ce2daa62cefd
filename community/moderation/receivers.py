"""Moderator acts done elsewhere, recorded in the audit log from their features' signals
(thread pin/lock/move, deleting and editing others' posts, bans, idea merges and statuses).
Acts run by the moderation queue record themselves, with their reason, and are skipped here.
"""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.accounts.models import User
from community.extensions import db
from community.forums.models import Post, PostRevision, Thread
from community.moderation.operations import is_acting, record, snapshot
from community.permissions import guardian


def _by_other(target, by) -> bool:
    """An act on someone else's content (by its author, it is no moderation)."""
    return by is not None and getattr(target, "author_id", None) != by.id


@signals.thread_moderated.connect
def audit_thread_moderation(thread: Thread, *, action: str, by, **kwargs) -> None:
    if is_acting():
        return
    before = after = None
    if action == "move":
        before = {"space": kwargs["from_space"].slug}
        after = {"space": thread.space.slug}
    elif action in ("lock", "unlock"):
        before, after = {"locked": action == "unlock"}, {"locked": action == "lock"}
    elif action in ("pin", "unpin"):
        before, after = {"pinned": action == "unpin"}, {"pinned": action == "pin"}
    record(
        action, by=by, target=thread, reason=kwargs.get("reason", ""), before=before, after=after
    )


@signals.post_deleted.connect
def audit_deletion(target, *, by, **_kwargs) -> None:
    """Deleting or restoring someone else's post or thread."""
    if is_acting() or not _by_other(target, by):
        return
    action = "delete" if target.is_deleted else "restore"
    record(action, by=by, target=target, after=snapshot(target))


@signals.post_edited.connect
def audit_edit(post: Post, *, by, reason: str = "", **_kwargs) -> None:
    """A moderator's edit of someone else's post: why, and the text before and after."""
    if is_acting() or not _by_other(post, by):
        return
    previous = db.session.scalar(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        .limit(1)
    )
    before = {"body": previous.body_source, "title": previous.title} if previous else None
    target = post.thread if post.is_opening else post
    after = {"body": post.body_source, "title": post.thread.title if post.is_opening else None}
    record("edit", by=by, target=target, reason=reason, before=before, after=after)


@signals.idea_updated.connect
def audit_idea_edit(idea, *, by, reason: str = "", before: dict | None = None, **_kwargs) -> None:
    """A moderator's edit of someone else's idea: why, and its title and text before and
    after (bulk retagging is audited by the explorer's own record)."""
    if is_acting() or before is None or not _by_other(idea, by):
        return
    after = {"title": idea.title, "body": idea.body_source}
    record("edit", by=by, target=idea, reason=reason, before=before, after=after)


@signals.member_banned.connect
def audit_ban(space, *, user: User, by, reason: str, until, **_kwargs) -> None:
    if is_acting():
        return
    after = {"until": until.isoformat() if until else None}
    record("ban", by=by, target=user, target_user=user, space=space, reason=reason, after=after)


@signals.member_unbanned.connect
def audit_unban(space, *, user: User, by, **_kwargs) -> None:
    record("unban", by=by, target=user, target_user=user, space=space)


@signals.idea_merged.connect
def audit_merge(idea, *, into, change, by, **_kwargs) -> None:
    record(
        "idea_merge",
        by=by,
        target=idea,
        reason=change.response_source,
        before={"status": change.from_status},
        after={"status": change.to_status, "into": into.id},
    )


@signals.idea_status_changed.connect
def audit_status(idea, *, old, new, change, by, **_kwargs) -> None:
    """Status changes by the space's moderators (experts answering ideas is not moderation)."""
    if by is None or not guardian.can(by, "space.moderate", idea.space):
        return
    record(
        "idea_status",
        by=by,
        target=idea,
        reason=change.response_source,
        before={"status": old},
        after={"status": new},
    )
