"""The items moderators act on (threads, replies, ideas, notes, profiles): what type each is,
loading one back from a case, its words as moderators judge them, their fingerprint, and the
snapshot the audit log keeps of it before and after an act."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import select

from community.accounts.models import User
from community.brainstorms.models import Note
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation.models import TargetType


def target_type_of(target) -> str:
    if isinstance(target, Thread):
        return TargetType.THREAD.value
    if isinstance(target, Post):
        return TargetType.POST.value
    if isinstance(target, Idea):
        return TargetType.IDEA.value
    if isinstance(target, Note):
        return TargetType.NOTE.value
    if isinstance(target, User):
        return TargetType.USER.value
    raise OperationError(_("That can't be flagged."))


def load_target(target_type: str, target_id: int):
    """The thread, post, idea, note or user a case or flag names (None if gone)."""
    model = {"thread": Thread, "post": Post, "idea": Idea, "note": Note, "user": User}.get(
        target_type
    )
    return db.session.get(model, target_id) if model else None


def opening_body(thread: Thread) -> str:
    return (
        db.session.scalar(
            select(Post.body_source).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        )
        or ""
    )


def snapshot(target) -> dict:
    """What an item looks like now, for the audit log's before and after."""
    if isinstance(target, Thread):
        return {
            "title": target.title,
            "body": opening_body(target),
            "space": target.space.slug,
            "hidden": target.is_hidden,
            "locked": target.locked,
            "deleted": target.is_deleted,
        }
    if isinstance(target, Post):
        return {
            "body": target.body_source,
            "hidden": target.is_hidden,
            "deleted": target.is_deleted,
        }
    if isinstance(target, Idea):
        return {
            "title": target.title,
            "body": target.body_source,
            "status": target.status,
            "hidden": target.is_hidden,
        }
    if isinstance(target, Note):
        return {"text": target.text, "hidden": target.is_hidden, "deleted": target.is_deleted}
    if isinstance(target, User):
        return {
            "username": target.username,
            "display_name": target.display_name,
            "bio": target.bio,
            "hidden": target.is_hidden,
            "suspended_until": target.suspended_until.isoformat()
            if target.suspended_until
            else None,
        }
    return {}


def item_words(target) -> dict:
    """What the item's author wrote, as moderators judge it: ``{"title", "body"}`` (a reply
    and a note have no title of their own; a profile's are its name and bio)."""
    if isinstance(target, Thread):
        return {"title": target.title, "body": opening_body(target)}
    if isinstance(target, Post):
        return {"body": target.body_source}
    if isinstance(target, Idea):
        return {"title": target.title, "body": target.body_source}
    if isinstance(target, Note):
        return {"body": target.text}
    return {"title": target.display_name, "body": target.bio or ""}


def words_digest(target) -> str:
    """A fingerprint of the item's words: the approve form carries the one the moderator read,
    so that words changed since are never approved unseen."""
    words = json.dumps(item_words(target), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(words.encode("utf-8", "surrogatepass")).hexdigest()


def listing(target, words: dict) -> tuple[str, str]:
    """The title and excerpt the queue lists an item by."""
    if isinstance(target, Post):
        title = target.thread.title
    elif isinstance(target, Note):
        title = target.session.prompt
    else:
        title = words["title"]
    return title[:200], words["body"][:500]
