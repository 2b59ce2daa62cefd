"""Live news of threads: a reply others may read is announced to the thread's readers after
the commit, and they are told to check again when the space's access changes."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from community import signals
from community.extensions import db, socketio
from community.forums.events import NAMESPACE, space_room, thread_room
from community.forums.models import Post, Thread
from community.web.live import recheck_after_access_change


def _announce(post_id: int) -> None:
    """Tell the thread's readers of now that the reply is there, if every reader may see it:
    not held for approval, hidden or deleted, in a thread that is none of these either (read
    after the commit, with the thread and space, in one query)."""
    post = db.session.scalar(
        db.select(Post)
        .options(joinedload(Post.thread).joinedload(Thread.space))
        .where(Post.id == post_id)
    )
    if post is None or post.is_opening:
        return
    thread = post.thread
    for item in (post, thread):
        if item.held or item.is_hidden or item.is_deleted:
            return
    socketio.emit(
        "reply",
        {"thread": thread.id, "post": post.id, "author": post.author_id},
        to=thread_room(thread.id, thread.space),
        namespace=NAMESPACE,
    )


@signals.post_created.connect
@signals.after_commit
def announce_reply(post: Post, **_kwargs) -> None:
    """A reply was posted."""
    _announce(post.id)


@signals.moderation_decided.connect
@signals.after_commit
def announce_approved_reply(_event, *, action: str, target=None, **_kwargs) -> None:
    """A reply held for approval was approved: its readers hear of it now."""
    if action == "approve" and isinstance(target, Post):
        _announce(target.id)


@signals.space_access_changed.connect
def recheck_readers(space, *, user=None, **_kwargs) -> None:
    """The space's news now goes to other rooms: its readers are told to watch again."""
    recheck_after_access_change(space, user, space_room(space.id), NAMESPACE)
