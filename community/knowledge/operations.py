"""Every change to the knowledge base: writing, editing and publishing articles (each save a
revision), suggested edits and their acceptance, "did this help?", articles drafted from an
accepted answer or a shipped idea, and deflections recorded while a question is typed."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Post, Thread
from community.knowledge.models import (
    BODY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    ArticleTag,
    Deflection,
    DeflectionKind,
    RevisionState,
)
from community.permissions import guardian
from community.spaces.models import Space
from community.text.markdown import render_markdown
from community.text.tags import parse_tags
from community.web.i18n import content_language


def _clean(title: str, body: str, tags, summary: str) -> tuple[str, str, list[str], str]:
    title = " ".join((title or "").split())
    if not title:
        raise OperationError(_("Give the article a title."), "title")
    if len(title) > TITLE_MAX:
        raise OperationError(
            _("A title may have at most %(count)d characters.", count=TITLE_MAX), "title"
        )
    body = (body or "").strip()
    if not body:
        raise OperationError(_("Write the article first."), "body")
    if len(body) > BODY_MAX:
        raise OperationError(
            _("An article may have at most %(count)d characters.", count=BODY_MAX), "body"
        )
    summary = " ".join((summary or "").split())
    if len(summary) > SUMMARY_MAX:
        raise OperationError(
            _("An edit summary may have at most %(count)d characters.", count=SUMMARY_MAX),
            "summary",
        )
    return title, body, sorted(parse_tags(tags or "")), summary


def _apply(article: Article, title: str, body: str, tags: list[str]) -> None:
    article.title = title
    article.body_source = body
    article.body_html = render_markdown(body, resolve_usernames).html
    article.tags = [ArticleTag(tag=t) for t in tags]
    article.updated_at = utcnow()


def _revision(article: Article, by: User, title, body, tags, summary, state) -> ArticleRevision:
    revision = ArticleRevision(
        article_id=article.id,
        author_id=by.id,
        state=state.value,
        title=title,
        body_source=body,
        tags=",".join(tags),
        summary=summary,
        created_at=utcnow(),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def _check_product(product, space: Space | None) -> None:
    if product is not None and space is not None and space.id not in product.space_ids:
        raise OperationError(
            _("%(product)s is not a product of this space.", product=product.name), "product"
        )


def create_article(
    space: Space | None,
    *,
    title: str,
    body: str,
    by: User,
    tags: str | list[str] = "",
    product=None,
    summary: str = "",
    publish: bool = False,
    source_thread: Thread | None = None,
    source_post: Post | None = None,
    source_idea=None,
    source_release=None,
) -> Article:
    """Write an article in ``space`` (None: site-wide) as a draft, or published at once; its
    first revision is this save."""
    guardian.ensure(by, "article.write", space, _("You may not write articles here."))
    title, body, tag_list, summary = _clean(title, body, tags, summary)
    _check_product(product, space)
    now = utcnow()
    article = Article(
        space_id=space.id if space is not None else None,
        product_id=product.id if product is not None else None,
        created_by_id=by.id,
        status=(ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT).value,
        created_at=now,
        published_at=now if publish else None,
        source_thread_id=source_thread.id if source_thread is not None else None,
        source_post_id=source_post.id if source_post is not None else None,
        source_idea_id=source_idea.id if source_idea is not None else None,
        source_release_id=source_release.id if source_release is not None else None,
    )
    _apply(article, title, body, tag_list)
    db.session.add(article)
    db.session.flush()
    _revision(
        article, by, title, body, tag_list, summary or _("First version"), RevisionState.ACCEPTED
    )
    signals.article_saved.send(article, by=by, change="created")
    return article


def edit_article(
    article: Article,
    *,
    title: str,
    body: str,
    by: User,
    tags: str | list[str] = "",
    summary: str = "",
    product=None,
) -> ArticleRevision:
    """Save a new revision of ``article`` (its writers)."""
    guardian.ensure(by, "article.edit", article, _("You may not edit this article."))
    title, body, tag_list, summary = _clean(title, body, tags, summary)
    _check_product(product, article.space)
    if (
        title == article.title
        and body == article.body_source
        and tag_list == article.tag_names
        and (product.id if product is not None else None) == article.product_id
    ):
        raise OperationError(_("Nothing changed."))
    article.product_id = product.id if product is not None else None
    _apply(article, title, body, tag_list)
    revision = _revision(article, by, title, body, tag_list, summary, RevisionState.ACCEPTED)
    signals.article_saved.send(article, by=by, change="edited")
    return revision


def publish_article(article: Article, *, by: User, publish: bool = True) -> None:
    """Publish a draft (or take a published article back to draft)."""
    guardian.ensure(by, "article.edit", article, _("You may not publish this article."))
    wanted = ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT
    if article.status == wanted:
        raise OperationError(
            _("The article is already published.") if publish else _("The article is a draft.")
        )
    article.status = wanted.value
    if publish and article.published_at is None:
        article.published_at = utcnow()
    article.updated_at = utcnow()
    db.session.flush()
    signals.article_saved.send(article, by=by, change="published" if publish else "unpublished")


def delete_article(article: Article, *, by: User) -> None:
    """Delete an article with its history and feedback (its writers)."""
    guardian.ensure(by, "article.edit", article, _("You may not delete this article."))
    signals.article_deleted.send(article, by=by)
    db.session.delete(article)
    db.session.flush()


def suggest_edit(
    article: Article, *, title: str, body: str, by: User, tags: str | list[str] = "", summary=""
) -> ArticleRevision:
    """A member's suggested edit: a pending revision for an editor to accept or decline."""
    guardian.ensure(by, "article.suggest", article, _("You may not suggest edits to this article."))
    title, body, tag_list, summary = _clean(title, body, tags, summary)
    if title == article.title and body == article.body_source and tag_list == article.tag_names:
        raise OperationError(_("Nothing changed."))
    if not summary:
        raise OperationError(_("Say briefly what your edit changes."), "summary")
    revision = _revision(article, by, title, body, tag_list, summary, RevisionState.PENDING)
    signals.article_edit_suggested.send(article, revision=revision, by=by)
    return revision


def _decide(revision: ArticleRevision, by: User, state: RevisionState) -> Article:
    article = db.session.get(Article, revision.article_id)
    guardian.ensure(by, "article.edit", article, _("You may not review suggested edits here."))
    if revision.state != RevisionState.PENDING:
        raise OperationError(_("This suggestion was already handled."))
    revision.state = state.value
    revision.decided_by_id = by.id
    revision.decided_at = utcnow()
    return article


def accept_suggestion(revision: ArticleRevision, *, by: User) -> Article:
    """Make a suggested edit the current revision, credited to the member who suggested it."""
    article = _decide(revision, by, RevisionState.ACCEPTED)
    _apply(article, revision.title, revision.body_source, revision.tag_names)
    # It becomes the newest revision of the history: it is dated when it was accepted.
    revision.created_at = revision.decided_at
    db.session.flush()
    signals.article_saved.send(article, by=by, change="suggestion-accepted")
    return article


def decline_suggestion(revision: ArticleRevision, *, by: User) -> None:
    """Decline a suggested edit (it stays on record, marked declined)."""
    _decide(revision, by, RevisionState.DECLINED)
    db.session.flush()


def rate_article(article: Article, *, by: User, helpful: bool) -> ArticleFeedback:
    """Answer "Did this help?"; one answer per reader, changed by answering again. Counts are
    aggregates over these rows, so concurrent answers cannot be lost."""
    guardian.ensure(by, "article.feedback", article, _("You may not rate this article."))
    feedback = db.session.scalar(
        select(ArticleFeedback).where(
            ArticleFeedback.article_id == article.id, ArticleFeedback.user_id == by.id
        )
    )
    now = utcnow()
    if feedback is None:
        feedback = ArticleFeedback(
            article_id=article.id, user_id=by.id, helpful=helpful, created_at=now, updated_at=now
        )
        try:
            with db.session.begin_nested():
                db.session.add(feedback)
        except IntegrityError:  # the same reader answered at the same moment in another request
            feedback = db.session.scalar(
                select(ArticleFeedback).where(
                    ArticleFeedback.article_id == article.id, ArticleFeedback.user_id == by.id
                )
            )
    feedback.helpful, feedback.updated_at = helpful, now
    db.session.flush()
    return feedback


def article_from_answer(thread: Thread, *, by: User) -> Article:
    """A draft article from a solved question: its title, and its accepted answer as body;
    linked to the thread. A thread already turned into an article gives that article."""
    guardian.ensure(
        by, "article.from_answer", thread, _("You may not turn this answer into an article.")
    )
    existing = db.session.scalar(
        select(Article).where(Article.source_thread_id == thread.id).order_by(Article.id).limit(1)
    )
    if existing is not None:
        return existing
    answer = db.session.get(Post, thread.accepted_post_id)
    return create_article(
        thread.space,
        title=thread.title,
        body=answer.body_source,
        tags=thread.tag_names,
        by=by,
        summary=_("Drafted from the accepted answer"),
        source_thread=thread,
        source_post=answer,
    )


def draft_whats_new(idea, *, release, by: User) -> Article | None:
    """A draft "What's new" article for a shipped idea linked to its release, in the idea's
    space and for its product; none if the idea already has an article. Drafted by the system
    on behalf of whoever linked the release (no permission check: the link was checked)."""
    exists = db.session.scalar(select(Article.id).where(Article.source_idea_id == idea.id))
    if exists is not None:
        return None
    # Written for the space's readers, in its language, not in that of whoever linked it.
    with content_language(idea.space):
        title = _("What's new: %(title)s", title=idea.title)[:TITLE_MAX]
        shipped = _(
            "Shipped in %(product)s %(version)s.",
            product=release.product.name,
            version=release.version,
        )
        note = _("Drafted when the idea shipped")
    body = "\n\n".join(part for part in (shipped, idea.body_source) if part)
    now = utcnow()
    article = Article(
        space_id=idea.space_id,
        product_id=release.product_id,
        created_by_id=by.id,
        status=ArticleStatus.DRAFT.value,
        created_at=now,
        source_idea_id=idea.id,
        source_release_id=release.id,
    )
    tags = list(getattr(idea, "tag_names", []))
    _apply(article, title, body, tags)
    db.session.add(article)
    db.session.flush()
    _revision(article, by, title, body, tags, note, RevisionState.ACCEPTED)
    signals.article_saved.send(article, by=by, change="created")
    return article


def parse_refs(raw: str, limit: int = 10) -> list[tuple[str, int]]:
    """``"article:3,thread:9"`` as ``[("article", 3), ("thread", 9)]``; anything else dropped."""
    refs: list[tuple[str, int]] = []
    for part in (raw or "").split(",")[:limit]:
        kind, _sep, number = part.strip().partition(":")
        valid = kind in ("article", "thread") and number.isdigit() and len(number) < 10
        if valid and (kind, int(number)) not in refs:
            refs.append((kind, int(number)))
    return refs


def record_answered(
    space: Space, *, by: User, title: str, article: Article | None = None, thread=None
) -> Deflection:
    """ "This answered my question": the question typed in ``space`` was not posted, because
    ``article`` (or solved ``thread``) answered it."""
    guardian.ensure(by, "thread.start", space, _("Join this space to write in it."))
    if article is not None:
        if not guardian.can(by, "article.view", article) or not article.is_published:
            raise OperationError(_("That article is not available."))
    elif thread is not None:
        if not guardian.can(by, "thread.view", thread) or not thread.is_solved:
            raise OperationError(_("That thread is not available."))
    else:
        raise OperationError(_("Choose the suggestion that answered your question."))
    deflection = Deflection(
        kind=DeflectionKind.ANSWERED.value,
        user_id=by.id,
        space_id=space.id,
        title=" ".join((title or "").split())[:TITLE_MAX],
        article_id=article.id if article is not None else None,
        thread_id=thread.id if thread is not None else None,
        created_at=utcnow(),
    )
    db.session.add(deflection)
    db.session.flush()
    signals.question_deflected.send(deflection, by=by)
    return deflection


def record_asked(thread: Thread, shown: str) -> Deflection | None:
    """A question posted although suggestions were shown: kept with the suggestions (only
    those that exist are recorded; none, and nothing is)."""
    refs = parse_refs(shown)
    article_ids = {n for kind, n in refs if kind == "article"}
    thread_ids = {n for kind, n in refs if kind == "thread"}
    found = set()
    if article_ids:
        found |= {
            ("article", i)
            for i in db.session.scalars(select(Article.id).where(Article.id.in_(article_ids)))
        }
    if thread_ids:
        found |= {
            ("thread", i)
            for i in db.session.scalars(select(Thread.id).where(Thread.id.in_(thread_ids)))
        }
    kept = [ref for ref in refs if ref in found]
    if not kept:
        return None
    deflection = Deflection(
        kind=DeflectionKind.ASKED.value,
        user_id=thread.author_id,
        space_id=thread.space_id,
        title=thread.title,
        thread_id=thread.id,
        shown=",".join(f"{kind}:{n}" for kind, n in kept),
        created_at=utcnow(),
    )
    db.session.add(deflection)
    db.session.flush()
    return deflection
