"""Keep the participation rollup (``ActivityDay``) in step with posts and votes, and the votes
rollup (``VoteDay``, ``VoteVoter``) with votes.

These receivers write inside the operation's transaction, so the rollup commits or rolls back
with the post or vote it counts.
"""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.analytics import rollup
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea, IdeaVote


@signals.thread_created.connect
def count_opening_post(thread: Thread, *, post: Post, **_kwargs) -> None:
    rollup.count_post(post, thread.space_id, 1)


@signals.post_created.connect
def count_reply(post: Post, *, thread: Thread, **_kwargs) -> None:
    rollup.count_post(post, thread.space_id, 1)


@signals.post_deleted.connect
def count_deleted_or_restored_post(item, **_kwargs) -> None:
    """A post counts while it is live. Deleting a whole thread leaves its posts as they are
    (participation never looked at whether their thread was deleted)."""
    if isinstance(item, Post):
        rollup.count_post(item, item.thread.space_id, -1 if item.deleted_at is not None else 1)


@signals.thread_moderated.connect
def recount_moved_thread(thread: Thread, *, action: str, **_kwargs) -> None:
    """The thread's posts now count in the other space."""
    if action == "move":
        rollup.recount_before_commit(
            db.session.scalars(select(Post.author_id).where(Post.thread_id == thread.id).distinct())
        )


@signals.vote_cast.connect
def count_vote(idea: Idea, *, user, voted_at, segment, organisation, **_kwargs) -> None:
    rollup.count_vote(user.id, idea.space_id, voted_at, segment, 1)
    rollup.count_vote_day(voted_at, segment, organisation, 1)
    rollup.note_voter(user.id, segment, organisation, voted_at)


@signals.vote_retracted.connect
def count_retracted_vote(idea: Idea, *, user, voted_at, segment, organisation, **_kwargs) -> None:
    rollup.count_vote(user.id, idea.space_id, voted_at, segment, -1)
    rollup.count_vote_day(voted_at, segment, organisation, -1)
    rollup.recount_voter(user.id, segment, organisation)


@signals.idea_merged.connect
@signals.idea_unmerged.connect
@signals.idea_deleted.connect
def recount_voters(idea: Idea, **_kwargs) -> None:
    """A merge copies the idea's votes to the other idea, an unmerge takes the copies back,
    and deleting an idea deletes its votes: its voters, and the days of its votes (the copies
    keep the time of the votes they copy), are counted again before the commit."""
    votes = db.session.execute(
        select(IdeaVote.user_id, IdeaVote.created_at).where(IdeaVote.idea_id == idea.id)
    ).all()
    rollup.recount_before_commit(user_id for user_id, _at in votes)
    rollup.recount_votes_before_commit(votes)
