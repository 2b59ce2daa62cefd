"""Reads of forums shared by pages, search and the API; each page is a bounded number of
queries whatever the number of threads or posts."""

from __future__ import annotations

from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.forums.models import HelpfulMark, Post, PostRevision, Thread, ThreadTag
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import prime_memberships
from community.spaces.queries import readable_spaces

THREADS_PER_PAGE = 20
#: The space's column counting its live threads of a kind (co-design threads are only in
#: ``thread_count``; see ``forums.operations``).
KIND_COUNTS = {"question": "question_count", "discussion": "discussion_count"}
POSTS_PER_PAGE = 20

SORTS = {"activity", "newest", "helpful"}
STATUSES = {"solved", "unsolved", "unanswered"}


def unanswered() -> list[ColumnElement[bool]]:
    """Conditions on ``Thread`` for a question nobody but its asker has answered and that is
    not solved (the asker's own replies are not answers, see ``Thread.answer_count``)."""
    return [Thread.answer_count == 0, Thread.accepted_post_id.is_(None)]


def answer_by_others(asker_id) -> ColumnElement[bool]:
    """Conditions on ``Post`` for an answer to a question whose author is ``asker_id`` (a
    column): a live reply (neither deleted nor hidden by moderation, nor held for approval)
    by someone else. Counts of answers, first answers and who answered are read with it, so
    that an asker's follow-ups never count."""
    return and_(
        Post.is_opening.is_(False),
        Post.deleted_at.is_(None),
        Post.hidden_at.is_(None),
        Post.author_id.is_distinct_from(asker_id),
    )


def threads_page(
    space: Space,
    *,
    kind: str = "",
    status: str = "",
    tag: str = "",
    sort: str = "activity",
    page: int = 1,
    viewer=None,
    per_page: int = THREADS_PER_PAGE,
) -> Pagination:
    """Threads of a space (pinned first), filtered and sorted, authors loaded. Threads hidden
    pending review are listed only to their authors and the space's moderators."""
    stmt = (
        select(Thread)
        .options(joinedload(Thread.author))
        .where(Thread.space_id == space.id, Thread.deleted_at.is_(None))
    )
    moderating = guardian.can(viewer, "space.moderate", space)
    if not moderating:
        stmt = stmt.where(_shown(Thread, viewer))
    # Unless asked for, co-design threads are left out: they live on their idea's page.
    stmt = stmt.where(Thread.kind == kind if kind else Thread.kind != "codesign")
    if status == "solved":
        stmt = stmt.where(Thread.accepted_post_id.is_not(None))
    elif status == "unsolved":
        stmt = stmt.where(Thread.kind == "question", Thread.accepted_post_id.is_(None))
    elif status == "unanswered":
        stmt = stmt.where(Thread.kind == "question", *unanswered())
    if tag:
        stmt = stmt.where(Thread.id.in_(select(ThreadTag.thread_id).where(ThreadTag.tag == tag)))
    order = {
        "newest": [Thread.created_at.desc()],
        "helpful": [Thread.helpful_count.desc(), Thread.last_activity_at.desc()],
    }.get(sort, [Thread.last_activity_at.desc()])
    stmt = stmt.order_by(Thread.pinned.desc(), *order, Thread.id.desc())
    if status or tag or kind not in {"", *KIND_COUNTS}:
        return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)
    # The list of a kind (or of both): counted from the space's kept counts, whatever the
    # number of threads, plus the hidden ones this viewer is shown.
    listed = db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False, count=False)
    kinds = [kind] if kind else list(KIND_COUNTS)
    listed.total = sum(getattr(space, KIND_COUNTS[k]) for k in kinds) + _hidden_shown(
        space, kinds, viewer, moderating
    )
    return listed


def _hidden_shown(space: Space, kinds: list[str], viewer, moderating: bool) -> int:
    """How many of the space's threads of ``kinds`` that are hidden by moderation (not
    deleted) ``viewer`` is shown: all of them to its moderators, their own to others, none to
    anonymous visitors. Read through ``ix_threads_space_hidden``: as many as are hidden."""
    if not moderating and not getattr(viewer, "is_authenticated", False):
        return 0
    stmt = select(func.count()).where(
        Thread.space_id == space.id,
        Thread.hidden_at.is_not(None),
        Thread.deleted_at.is_(None),
        Thread.kind.in_(kinds),
    )
    if not moderating:
        stmt = stmt.where(Thread.author_id == viewer.id)
    return db.session.scalar(stmt) or 0


def _shown(model, viewer, *, held_only: bool = False):
    """The rows of ``model`` (threads or posts) a viewer who does not moderate the space is
    shown: none hidden by moderation (or, with ``held_only``, none held for approval), except
    the viewer's own."""
    column = model.held.is_(False) if held_only else model.hidden_at.is_(None)
    if not getattr(viewer, "is_authenticated", False):
        return column
    return or_(column, model.author_id == viewer.id)


def opening_post(thread: Thread) -> Post | None:
    return db.session.scalar(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.thread_id == thread.id, Post.is_opening.is_(True))
    )


def replies_page(
    thread: Thread, page: int = 1, *, viewer=None, per_page: int = POSTS_PER_PAGE
) -> Pagination:
    """Replies in the order they were written, authors loaded. Replies held for approval are
    there only for their authors and the space's moderators (those hidden pending review stay,
    for pages to show in their place that they are hidden)."""
    shown = [Post.thread_id == thread.id, Post.is_opening.is_(False)]
    if not guardian.can(viewer, "space.moderate", thread.space):
        shown.append(_shown(Post, viewer, held_only=True))
    stmt = (
        select(Post)
        .options(joinedload(Post.author))
        .where(*shown)
        .order_by(Post.created_at, Post.id)
    )
    replies = db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False, count=False)
    # Counted from the posts alone: Flask-SQLAlchemy would count the page's query as a subquery,
    # every column of the posts and their authors included.
    replies.total = db.session.scalar(select(func.count(Post.id)).where(*shown))
    return replies


#: The most replies a thread page adds in place at once (the rest wait for the next click).
NEW_REPLIES_MAX = 50


def replies_after(thread: Thread, after_id: int, *, viewer=None) -> list[Post]:
    """Replies posted after reply ``after_id`` (ids grow as replies are written), in order,
    at most ``NEW_REPLIES_MAX``, shown to ``viewer`` as :func:`replies_page` shows them."""
    stmt = (
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.thread_id == thread.id, Post.is_opening.is_(False), Post.id > after_id)
        .order_by(Post.created_at, Post.id)
        .limit(NEW_REPLIES_MAX + 1)
    )
    if not guardian.can(viewer, "space.moderate", thread.space):
        stmt = stmt.where(_shown(Post, viewer, held_only=True))
    return list(db.session.scalars(stmt))


def accepted_post(thread: Thread) -> Post | None:
    if thread.accepted_post_id is None:
        return None
    return db.session.scalar(
        select(Post).options(joinedload(Post.author)).where(Post.id == thread.accepted_post_id)
    )


def marked_helpful(user, posts: list[Post]) -> set[int]:
    """The ids of ``posts`` that ``user`` marked helpful: one query, asking only about posts
    someone marked (their kept ``helpful_count``, changed with each mark), so none for a page
    of posts nobody marked."""
    marked = [post.id for post in posts if post.helpful_count]
    if not marked or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(HelpfulMark.post_id).where(
                HelpfulMark.user_id == user.id, HelpfulMark.post_id.in_(marked)
            )
        )
    )


def reply_page_number(post: Post) -> int:
    """The page of its thread on which a reply appears."""
    before = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.thread_id == post.thread_id,
            Post.is_opening.is_(False),
            (Post.created_at < post.created_at)
            | ((Post.created_at == post.created_at) & (Post.id < post.id)),
        )
    )
    return before // POSTS_PER_PAGE + 1


def post_url(post: Post) -> str:
    """The address of a post: its thread's page that shows it, and its anchor."""
    if post.is_opening:
        return url_for("forums.thread", thread_id=post.thread_id)
    page = reply_page_number(post)
    args = {"page": page} if page > 1 else {}
    return url_for("forums.thread", thread_id=post.thread_id, **args, _anchor=f"post-{post.id}")


def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier versions, newest first, editors loaded."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .options(joinedload(PostRevision.editor))
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )


def moderated_spaces(user, exclude: Space) -> list[Space]:
    """Spaces ``user`` may move threads to (for the move form)."""
    spaces = list(db.session.scalars(readable_spaces(user).order_by(Space.name)))
    prime_memberships(user, spaces)
    return [s for s in spaces if s.id != exclude.id and guardian.can(user, "space.moderate", s)]
