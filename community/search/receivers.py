"""The index follows the database: forum and space changes are indexed with their commit.

With a transactional backend (PostgreSQL) the documents are written inside the content's
transaction, just before it commits, so both commit or neither does; with the SQLite index
they are queued once the commit has succeeded (:func:`with_commit`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from community import signals
from community.accounts.models import User
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.search import sources
from community.search.service import search_service


def _at_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func`` just before the commit (a transactional backend) or after it."""
    if search_service().backend.transactional:
        db.session().before_commit(func, *args, **kwargs)
    else:
        signals.on_commit(func, *args, **kwargs)


def with_commit(receiver: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a signal receiver so that its body runs at the commit (:func:`_at_commit`)."""

    @functools.wraps(receiver)
    def deferred(sender: Any, **kwargs: Any) -> None:
        _at_commit(receiver, sender, **kwargs)

    return deferred


def _reindex(thread_ids, *, replies: bool = False, post_ids=()) -> None:
    upserts, removals = sources.documents_for(thread_ids, replies=replies, post_ids=post_ids)
    search_service().index(upserts, removals)


@signals.thread_created.connect
@with_commit
def index_new_thread(thread, **_kwargs) -> None:
    _reindex([thread.id])


@signals.post_created.connect
@with_commit
def index_new_reply(post, *, thread, **_kwargs) -> None:
    _reindex([thread.id], post_ids=[post.id])


@signals.post_edited.connect
@with_commit
def index_edit(post, **_kwargs) -> None:
    # An opening post carries the thread's title and tags, which its replies show too.
    _reindex([post.thread_id], replies=post.is_opening, post_ids=[post.id])


@signals.post_deleted.connect
@with_commit
def index_deletion(sender, **_kwargs) -> None:
    if isinstance(sender, Thread):
        _reindex([sender.id], replies=True)
    else:
        _reindex([sender.thread_id], post_ids=[sender.id])


@signals.content_hidden.connect
@with_commit
def index_hiding(target, **_kwargs) -> None:
    """Hidden pending review leaves the index (a profile: its bio); approved comes back."""
    if isinstance(target, Thread):
        _reindex([target.id], replies=True)
    elif isinstance(target, Post):
        _reindex([target.thread_id], post_ids=[target.id])
    elif isinstance(target, Idea):
        _index_ideas([target.id])
        if target.thread_id is not None:  # its discussion is hidden and shown with it
            _reindex([target.thread_id], replies=True)
    elif isinstance(target, User):
        search_service().index(*sources.person_documents([target.id]))


@signals.thread_moderated.connect
@with_commit
def index_move(thread, *, action: str, **_kwargs) -> None:
    if action == "move":
        _reindex([thread.id], replies=True)


@signals.answer_accepted.connect
@with_commit
def index_accepted(post, *, thread, **_kwargs) -> None:
    _reindex([thread.id], replies=True)


@signals.answer_cleared.connect
@with_commit
def index_cleared(thread, **_kwargs) -> None:
    _reindex([thread.id], replies=True)


@signals.space_updated.connect
@with_commit
def index_space(space, **_kwargs) -> None:
    """A space's name or visibility is on every document in it."""
    _reindex(sources.thread_ids_in(space), replies=True)
    search_service().index(*sources.idea_documents(sources.ideas_in(space)))
    search_service().index(*sources.article_documents(sources.articles_in(space)))


@signals.user_registered.connect
@signals.profile_updated.connect
@signals.expertise_changed.connect
@signals.expertise_verified.connect
@signals.expertise_revoked.connect
@with_commit
def index_person(user, **_kwargs) -> None:
    search_service().index(*sources.person_documents([user.id]))


@signals.idea_submitted.connect
@signals.idea_updated.connect
@signals.idea_status_changed.connect
@with_commit
def index_idea(idea, **_kwargs) -> None:
    search_service().index(*sources.idea_documents([idea.id]))


def _index_ideas(idea_ids: list[int]) -> None:
    search_service().index(*sources.idea_documents(idea_ids))


@signals.idea_merged.connect
@signals.idea_unmerged.connect
@with_commit
def index_merge(idea, *, into, **_kwargs) -> None:
    """A merged idea leaves the index (it is found through the idea it was merged into) and
    returns when unmerged; the other idea is written again with it."""
    _index_ideas([idea.id] + ([into.id] if into is not None else []))


@signals.idea_deleted.connect
def unindex_idea(idea, **_kwargs) -> None:
    """The id is read when the signal arrives: after the commit the row is gone."""
    _at_commit(_index_ideas, [idea.id])


def _index_articles(article_ids: list[int]) -> None:
    search_service().index(*sources.article_documents(article_ids))


@signals.article_saved.connect
def index_article(article, **_kwargs) -> None:
    """Published articles are indexed; a draft (or one taken back to draft) is removed."""
    _at_commit(_index_articles, [article.id])


@signals.article_deleted.connect
def unindex_article(article, **_kwargs) -> None:
    """The id is read when the signal arrives: after the commit the row is gone."""
    _at_commit(_index_articles, [article.id])
