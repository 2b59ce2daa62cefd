"""The ``/threads`` Socket.IO namespace: "N new replies" for everyone reading a thread.

Anyone may connect (public threads are public), but a connection joins a thread's room only
if the guardian lets that visitor read the thread. Pushes say only that a reply was posted
(its id and author's id); the page then asks for the rendered replies over HTTP, where the
guardian decides again what this visitor may see. Rooms follow the space's access as the
``/ideas`` rooms do (``community.web.live.readers_room``): when a space turns private or one of
a private space's readers loses access, those let in before stop hearing at once, and are told
to ``recheck``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.forums import queries
from community.forums.models import Thread
from community.permissions import guardian
from community.web.args import ID_MAX, Id, Whole
from community.web.live import (
    EventRefused,
    LiveNamespace,
    join_session_room,
    payload,
    readers_room,
)

NAMESPACE = "/threads"


def thread_room(thread_id: int, space) -> str:
    """The room news of this thread goes to: open, or for the space's current readers."""
    return readers_room(f"thread:{thread_id}", space)


def space_room(space_id: int) -> str:
    """Every connection reading some thread of the space: told to ``recheck``."""
    return f"threads:space:{space_id}"


def _thread_of(room: str) -> int | None:
    parts = room.split(":")
    if parts[0] == "thread" and len(parts) in (2, 3) and parts[1].isdigit():
        return int(parts[1])
    return None


class ThreadsNamespace(LiveNamespace):
    """Read-only live news of threads; every room is joined through the guardian."""

    def on_connect(self, auth=None):
        if current_user.is_authenticated:
            join_session_room()  # signing out closes it

    @payload(
        thread=Id(strict=True, required=True),
        after=Whole(0, ID_MAX, strict=True, allow_none=True, load_default=None),
    )
    def on_watch(self, data: dict) -> dict:
        """Read a thread live: joins its room if the visitor may read it (and leaves the rooms
        of any other thread). Watching again after a ``recheck`` leaves a room no longer
        allowed. Returns whether the thread is watched and, given ``after`` (the last reply the
        page shows), the ids of the replies by others posted since that pushes announce (not
        held, hidden or deleted; at most ``NEW_REPLIES_MAX`` + 1): a page watching again
        after it may have missed pushes (a reconnect, a ``resync``) announces them as the
        pushes would have."""
        # The space (and its epoch) is read with the thread, before the guardian reads the
        # membership: a change committed in between only puts us in a room already left behind.
        thread = db.session.scalar(
            db.select(Thread).options(joinedload(Thread.space)).where(Thread.id == data["thread"])
        )
        allowed = thread is not None and guardian.can(current_user, "thread.view", thread)
        room = thread_room(thread.id, thread.space) if allowed else None
        watched_space = thread.space_id if allowed else None
        replies = []
        if allowed and data.get("after") is not None:
            viewer = current_user.id if current_user.is_authenticated else None
            replies = [
                post.id
                for post in queries.replies_after(thread, data["after"], viewer=current_user)
                if post.author_id != viewer
                and not (post.held or post.is_hidden or post.is_deleted)  # as announced
            ]
        db.session.rollback()  # read-only: nothing to commit
        try:
            for joined in rooms():
                if _thread_of(joined) is not None and joined != room:
                    leave_room(joined)
            if room is not None:
                join_room(room)
                join_room(space_room(watched_space))
        except ValueError:
            # The visitor left (e.g. navigated away) while this event was handled.
            raise EventRefused(_("This page is no longer connected.")) from None
        return {"ok": True, "watching": room is not None, "replies": replies}
