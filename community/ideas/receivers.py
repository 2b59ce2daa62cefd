"""Live updates that follow committed votes and merges; the trending value follows replies, and
each idea's time in status follows its status steps."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from community import signals
from community.extensions import db, socketio
from community.forums.models import Post, Thread, ThreadKind
from community.ideas import time_in_status, trending
from community.ideas.events import NAMESPACE, idea_room, space_room
from community.ideas.models import Idea
from community.web.live import recheck_after_access_change


def _push_count(idea_id: int) -> None:
    """The idea's count, read after the commit with its space (one query), to the room of
    those who may read it now."""
    idea = db.session.scalar(
        db.select(Idea).options(joinedload(Idea.space)).where(Idea.id == idea_id)
    )
    if idea is not None:
        socketio.emit(
            "votes",
            {"idea": idea.id, "votes": idea.vote_count},
            to=idea_room(idea.id, idea.space),
            namespace=NAMESPACE,
        )


@signals.vote_cast.connect
@signals.vote_retracted.connect
@signals.after_commit
def push_vote_count(idea, **_kwargs) -> None:
    """Tell everyone watching the idea its new count (read after the commit)."""
    _push_count(idea.id)


@signals.idea_merged.connect
@signals.idea_unmerged.connect
@signals.after_commit
def push_merged_count(idea, *, into, **_kwargs) -> None:
    """A merge gives votes to the idea merged into, and an unmerge takes them back."""
    if into is not None:
        _push_count(into.id)


@signals.space_access_changed.connect
def recheck_watchers(space, *, user=None, **_kwargs) -> None:
    """The space's counts now go to other rooms: its watchers are told to watch again."""
    recheck_after_access_change(space, user, space_room(space.id), NAMESPACE)


@signals.post_created.connect
def trend_with_reply(post: Post, *, thread: Thread, **_kwargs) -> None:
    """A reply in an idea's co-design thread adds to the idea's trending value."""
    if thread.kind == ThreadKind.CODESIGN.value:
        trending.add_reply(thread.id, post.created_at)


@signals.post_deleted.connect
def trend_without_reply(item, **_kwargs) -> None:
    """A reply deleted or restored there: the idea's trending value is counted again."""
    if isinstance(item, Post) and item.thread.kind == ThreadKind.CODESIGN.value:
        trending.recount_thread(item.thread_id)


@signals.idea_status_changed.connect
@signals.idea_merged.connect
@signals.idea_unmerged.connect
def count_time_in_status(idea, **_kwargs) -> None:
    """A new status step: count the idea's time in each status again (in the transaction)."""
    time_in_status.recount([idea.id])
