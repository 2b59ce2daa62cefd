"""Search documents built from the database: threads (title and opening post), replies,
ideas, people and published knowledge base articles.

Later features add their own kinds here, through the same :class:`SearchDocument`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.experts.queries import verified_tags_for
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.knowledge.models import Article, ArticleStatus
from community.search.backend import SITE_WIDE, SearchDocument
from community.spaces.models import Space
from community.text.markdown import plain_text

BATCH = 500


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of a page; works outside requests too (CLI, background)."""
    return current_app.url_map.bind("").build(endpoint, values)


def _thread_status(thread: Thread) -> str:
    if thread.is_question:
        return "solved" if thread.is_solved else "unsolved"
    return thread.kind


def thread_document(thread: Thread, opening: Post | None) -> SearchDocument:
    """A thread: its title and opening post, in its space."""
    space = thread.space
    return SearchDocument(
        id=f"thread:{thread.id}",
        kind="thread",
        title=thread.title,
        body=plain_text(opening.body_html) if opening else "",
        url=path_for("forums.thread", thread_id=thread.id),
        space_id=str(space.id),
        space_name=space.name,
        visibility=space.visibility,
        status=_thread_status(thread),
        tags=tuple(thread.tag_names),
        author_id=str(thread.author_id or ""),
        author_name=thread.author.display_name if thread.author else "",
        created=thread.created_at,
        updated=thread.last_activity_at,
    )


def post_document(post: Post, thread: Thread) -> SearchDocument:
    """A reply: its text, shown under its thread's title."""
    space = thread.space
    return SearchDocument(
        id=f"post:{post.id}",
        kind="post",
        title="",
        display_title=thread.title,
        body=plain_text(post.body_html),
        url=path_for("forums.post", post_id=post.id),
        space_id=str(space.id),
        space_name=space.name,
        visibility=space.visibility,
        status="accepted" if thread.accepted_post_id == post.id else "",
        tags=tuple(thread.tag_names),
        author_id=str(post.author_id or ""),
        author_name=post.author.display_name if post.author else "",
        created=post.created_at,
        updated=post.edited_at or post.created_at,
    )


def _threads(thread_ids: Iterable[int]) -> list[Thread]:
    return list(
        db.session.scalars(
            select(Thread)
            .options(joinedload(Thread.space), joinedload(Thread.author))
            .where(Thread.id.in_(list(thread_ids)))
        )
    )


def documents_for(
    thread_ids: Iterable[int], *, replies: bool = False, post_ids: Iterable[int] = ()
) -> tuple[list[SearchDocument], list[str]]:
    """What the index should hold for these threads (and, with ``replies``, all their
    replies; else only ``post_ids``): documents to write and ids to remove."""
    thread_ids, post_ids = set(thread_ids), set(post_ids)
    threads = {t.id: t for t in _threads(thread_ids)}
    upserts: list[SearchDocument] = []
    removals = [f"thread:{tid}" for tid in thread_ids - set(threads)]
    openings = {
        p.thread_id: p
        for p in db.session.scalars(
            select(Post).where(Post.thread_id.in_(list(threads)), Post.is_opening.is_(True))
        )
    }
    for thread in threads.values():
        # Co-design threads are found through their idea; hidden ones wait for review.
        if thread.is_deleted or thread.is_hidden or thread.kind == "codesign":
            removals.append(f"thread:{thread.id}")
        else:
            upserts.append(thread_document(thread, openings.get(thread.id)))
    post_filter = Post.thread_id.in_(list(threads)) if replies else Post.id.in_(list(post_ids))
    posts = db.session.scalars(
        select(Post).options(joinedload(Post.author)).where(post_filter, Post.is_opening.is_(False))
    )
    found = set()
    for post in posts:
        found.add(post.id)
        thread = threads.get(post.thread_id) or db.session.get(Thread, post.thread_id)
        if post.is_deleted or post.is_hidden or thread is None or _gone(thread):
            removals.append(f"post:{post.id}")
        else:
            upserts.append(post_document(post, thread))
    removals += [f"post:{pid}" for pid in post_ids - found]
    return upserts, removals


def _gone(thread: Thread) -> bool:
    return thread.is_deleted or thread.is_hidden


def idea_document(idea: Idea) -> SearchDocument:
    """An idea: its title and description, status and tags."""
    space = idea.space
    return SearchDocument(
        id=f"idea:{idea.id}",
        kind="idea",
        title=idea.title,
        body=plain_text(idea.body_html),
        url=path_for("ideas.idea", idea_id=idea.id),
        space_id=str(space.id),
        space_name=space.name,
        visibility=space.visibility,
        status=idea.status,
        tags=tuple(idea.tag_names),
        author_id=str(idea.author_id or ""),
        author_name=idea.author.display_name if idea.author else "",
        created=idea.created_at,
        updated=idea.updated_at,
    )


def idea_documents(idea_ids: Iterable[int]) -> tuple[list[SearchDocument], list[str]]:
    """Documents for these ideas (merged ideas are not searchable on their own, hidden ones
    not until approved)."""
    idea_ids = set(idea_ids)
    ideas = list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.space), joinedload(Idea.author))
            .where(Idea.id.in_(list(idea_ids)))
        )
    )
    shown = [i for i in ideas if i.status != "merged" and not i.is_hidden]
    upserts = [idea_document(i) for i in shown]
    removals = [f"idea:{i}" for i in idea_ids - {d.id for d in shown}]
    return upserts, removals


def person_document(user: User, expertise: Iterable[str] = ()) -> SearchDocument:
    """A person: their name, username, organisation and bio (unless hidden pending review), and
    their verified expertise as tags; profiles are public."""
    return SearchDocument(
        id=f"person:{user.id}",
        kind="person",
        title=user.display_name,
        body=" ".join(
            part
            for part in (user.username, user.organisation, "" if user.is_hidden else user.bio)
            if part
        ),
        tags=tuple(expertise),
        url=path_for("accounts.profile", username=user.username),
        author_id=str(user.id),
        author_name=user.display_name,
        created=user.created_at,
        updated=user.updated_at,
    )


def person_documents(user_ids: Iterable[int]) -> tuple[list[SearchDocument], list[str]]:
    """Documents for these people (suspended accounts are not searchable)."""
    user_ids = set(user_ids)
    users = [
        u for u in db.session.scalars(select(User).where(User.id.in_(list(user_ids)))) if u.active
    ]
    expertise = verified_tags_for(u.id for u in users)
    return [person_document(u, expertise[u.id]) for u in users], [
        f"person:{i}" for i in user_ids - {u.id for u in users}
    ]


def article_document(article: Article) -> SearchDocument:
    """A published article: its title, text and tags, in its space (or site-wide)."""
    space = article.space
    return SearchDocument(
        id=f"article:{article.id}",
        kind="article",
        title=article.title,
        body=plain_text(article.body_html),
        url=path_for("knowledge.article", article_id=article.id),
        space_id=str(space.id) if space is not None else SITE_WIDE,
        space_name=space.name if space is not None else "",
        visibility=space.visibility if space is not None else "public",
        status=article.status,
        tags=tuple(article.tag_names),
        author_id=str(article.created_by_id or ""),
        author_name=article.created_by.display_name if article.created_by else "",
        created=article.published_at or article.created_at,
        updated=article.updated_at,
    )


def article_documents(article_ids: Iterable[int]) -> tuple[list[SearchDocument], list[str]]:
    """Documents for these articles: only published ones are searchable (drafts are found on
    the knowledge base pages by those who may read them)."""
    article_ids = set(article_ids)
    articles = list(
        db.session.scalars(
            select(Article)
            .options(joinedload(Article.space), joinedload(Article.created_by))
            .where(Article.id.in_(list(article_ids)), Article.status == ArticleStatus.PUBLISHED)
        )
    )
    return [article_document(a) for a in articles], [
        f"article:{i}" for i in article_ids - {a.id for a in articles}
    ]


def all_documents() -> Iterator[SearchDocument]:
    """Every document the index should hold, read in batches (for a rebuild)."""
    yield from _in_batches(
        Thread.id, lambda ids: documents_for(ids, replies=True)[0], Thread.deleted_at.is_(None)
    )
    yield from _in_batches(Idea.id, lambda ids: idea_documents(ids)[0])
    yield from _in_batches(User.id, lambda ids: person_documents(ids)[0])
    yield from _in_batches(
        Article.id, lambda ids: article_documents(ids)[0], Article.status == ArticleStatus.PUBLISHED
    )


def _in_batches(column, build, *conditions) -> Iterator[SearchDocument]:
    """``build(ids)`` for every id in ``column`` (meeting ``conditions``), BATCH at a time."""
    last = 0
    while True:
        ids = list(
            db.session.scalars(
                select(column).where(column > last, *conditions).order_by(column).limit(BATCH)
            )
        )
        if not ids:
            return
        yield from build(ids)
        db.session.expunge_all()
        last = ids[-1]


def expected_ids() -> dict[str, set[str]]:
    """The ids the index should hold, per kind (for ``flask search check``)."""
    live = select(Thread.id).where(Thread.deleted_at.is_(None), Thread.hidden_at.is_(None))
    threads = {f"thread:{i}" for i in db.session.scalars(live.where(Thread.kind != "codesign"))}
    posts = {
        f"post:{i}"
        for i in db.session.scalars(
            select(Post.id).where(
                Post.is_opening.is_(False),
                Post.deleted_at.is_(None),
                Post.hidden_at.is_(None),
                Post.thread_id.in_(live),
            )
        )
    }
    ideas = {
        f"idea:{i}"
        for i in db.session.scalars(
            select(Idea.id).where(Idea.status != "merged", Idea.hidden_at.is_(None))
        )
    }
    people = {f"person:{i}" for i in db.session.scalars(select(User.id).where(User.active))}
    articles = {
        f"article:{i}"
        for i in db.session.scalars(
            select(Article.id).where(Article.status == ArticleStatus.PUBLISHED)
        )
    }
    return {
        "thread": threads,
        "post": posts,
        "idea": ideas,
        "person": people,
        "article": articles,
    }


def thread_ids_in(space: Space) -> list[int]:
    return list(db.session.scalars(select(Thread.id).where(Thread.space_id == space.id)))


def articles_in(space: Space) -> list[int]:
    return list(db.session.scalars(select(Article.id).where(Article.space_id == space.id)))


def ideas_in(space: Space) -> list[int]:
    return list(db.session.scalars(select(Idea.id).where(Idea.space_id == space.id)))
