"""Knowledge base pages for reading: the index, a space's Knowledge tab, an article with its
sources and "Did this help?", its history and diffs, and the article panels of thread and idea
pages. Writing and editing are in ``editing.py``, the suggestions while a question is typed in
``deflection.py``; both route on this module's blueprint.

URLs (blueprint ``knowledge``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md). Writing is in ``editing.py``, the
question-time suggestions in ``deflection.py``.

    GET /kb                                               index
        Every article the reader may read: search, filter by tag, product or space
    GET /s/<slug>/knowledge                               space_articles
        A space's Knowledge tab
    GET /kb/<int:article_id>                              article
        An article
    POST /kb/<int:article_id>/feedback                    feedback
        Answer "Did this help?"
    GET /kb/<int:article_id>/history                      history
        Every accepted revision, newest first
    GET /kb/<int:article_id>/revisions/<int:revision_id>  revision
        What a revision (or a suggested edit) changed, as a word-level diff
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.extensions import db
from community.forums.models import Thread
from community.ideas.models import Idea
from community.knowledge import operations, queries
from community.knowledge.forms import ArticleListArgs, ConfirmForm, DiffArgs, FeedbackForm
from community.knowledge.models import STATUS_LABELS, Article, ArticleRevision, RevisionState
from community.permissions import guardian
from community.products import queries as product_queries
from community.products.models import Product, Release
from community.search.backend import clean_query_text
from community.spaces import queries as space_queries
from community.spaces.permissions import membership_of
from community.spaces.views import load_space
from community.text.diff import diff_html
from community.web.actions import attempt, refuse_form
from community.web.args import page_number, parse

bp = Blueprint("knowledge", __name__)


def load_article(article_id: int) -> Article:
    """The article if the current user may read it; 404 otherwise."""
    article = db.get_or_404(Article, article_id)
    guardian.require(current_user, "article.view", article, hide=True)
    return article


def article_url(article: Article, **kwargs) -> str:
    return url_for("knowledge.article", article_id=article.id, **kwargs)


@bp.route("/kb")
def index():
    """Every article the reader may read: search, filter by tag, product or space."""
    args = parse(ArticleListArgs())
    q = clean_query_text(args["q"])
    tag = args["tag"].strip().lower()
    product_id = args["product"]
    space_arg = args["space"]
    space = None
    if space_arg and space_arg != "site":
        space = space_queries.space_by_slug(space_arg)
        if space is None or not guardian.can(current_user, "space.view", space):
            space = None
    page = queries.articles_page(
        current_user,
        q=q,
        tag=tag,
        product_id=product_id,
        space_id=space.id if space else None,
        site_wide=space_arg == "site",
        page=args["page"],
    )
    return render_template(
        "knowledge/index.html",
        page=page,
        q=q,
        tag=tag,
        product_id=product_id,
        space_arg=space.slug if space else ("site" if space_arg == "site" else ""),
        spaces=list(db.session.scalars(space_queries.readable_spaces(current_user).limit(200))),
        products=product_queries.all_products(),
        tags=queries.popular_tags(current_user),
        status_labels=STATUS_LABELS,
    )


@bp.route("/s/<slug>/knowledge")
def space_articles(slug: str):
    """A space's Knowledge tab."""
    space = load_space(slug)
    page = queries.articles_page(current_user, space_id=space.id, page=page_number())
    return render_template(
        "knowledge/space.html",
        space=space,
        page=page,
        membership=membership_of(current_user, space),
        status_labels=STATUS_LABELS,
    )


@bp.route("/kb/<int:article_id>")
def article(article_id: int):
    """An article: its text, sources, contributors, and "Did this help?"."""
    article = load_article(article_id)
    may_edit = guardian.can(current_user, "article.edit", article)
    feedback = queries.feedback_for(article, current_user)
    sources = _sources(article)
    return render_template(
        "knowledge/article.html",
        article=article,
        space=article.space,
        product=db.session.get(Product, article.product_id) if article.product_id else None,
        contributors=queries.contributors(article),
        feedback=feedback,
        show_rate=may_edit or article.created_by_id == getattr(current_user, "id", None),
        may_edit=may_edit,
        pending=queries.pending_suggestions(article) if may_edit else [],
        sources=sources,
        form=ConfirmForm(),
        status_labels=STATUS_LABELS,
    )


def _sources(article: Article) -> dict:
    """The article's sources the reader may see (a thread, an idea, a release)."""
    found: dict = {}
    if article.source_thread_id:
        thread = db.session.get(Thread, article.source_thread_id)
        if thread is not None and guardian.can(current_user, "thread.view", thread):
            found["thread"] = thread
    if article.source_idea_id:
        idea = db.session.get(Idea, article.source_idea_id)
        if idea is not None and guardian.can(current_user, "idea.view", idea):
            found["idea"] = idea
    if article.source_release_id:
        release = db.session.get(Release, article.source_release_id)
        if release is not None:
            found["release"] = release
    return found


@bp.route("/kb/<int:article_id>/feedback", methods=["POST"])
@login_required
def feedback(article_id: int):
    """Answer "Did this help?"."""
    article = load_article(article_id)
    target = article_url(article, _anchor="feedback")
    form = FeedbackForm()
    if not form.validate_on_submit():
        return refuse_form(target)
    return attempt(
        target,
        lambda: operations.rate_article(
            article, by=current_user, helpful=form.helpful.data == "yes"
        ),
        _("Thanks for telling us."),
    )


@bp.route("/kb/<int:article_id>/history")
def history(article_id: int):
    """Every accepted revision, newest first."""
    article = load_article(article_id)
    return render_template(
        "knowledge/history.html",
        article=article,
        space=article.space,
        page=queries.history(article, page_number()),
    )


def _load_revision(article: Article, revision_id: int) -> ArticleRevision:
    revision = db.first_or_404(
        select(ArticleRevision).where(
            ArticleRevision.id == revision_id, ArticleRevision.article_id == article.id
        )
    )
    if revision.state != RevisionState.ACCEPTED and not (
        guardian.can(current_user, "article.edit", article)
        or revision.author_id == getattr(current_user, "id", None)
    ):
        abort(404)
    return revision


@bp.route("/kb/<int:article_id>/revisions/<int:revision_id>")
def revision(article_id: int, revision_id: int):
    """What a revision (or a suggested edit) changed: a word-level diff against the one before
    it, or ``?against=<revision id>``."""
    article = load_article(article_id)
    new = _load_revision(article, revision_id)
    against = parse(DiffArgs())["against"]
    old = _load_revision(article, against) if against else queries.revision_before(new)
    return render_template(
        "knowledge/diff.html",
        article=article,
        space=article.space,
        new=new,
        old=old,
        title_diff=diff_html(old.title if old else "", new.title),
        body_diff=diff_html(old.body_source if old else "", new.body_source),
        tags_diff=diff_html(
            old.tags.replace(",", ", ") if old else "", new.tags.replace(",", ", ")
        ),
        may_edit=guardian.can(current_user, "article.edit", article),
        form=ConfirmForm(),
    )


@bp.app_context_processor
def knowledge_panels() -> dict:
    """For thread and idea pages, which do not import this feature: ``answer_article(thread)``
    (the article the accepted answer became, if the reader may read it, and whether they may
    turn it into one) and ``idea_article(idea)``. One query each."""

    def answer_article(thread) -> dict:
        if not thread.is_question or thread.accepted_post_id is None:
            return {}
        found = queries.article_from_thread(thread.id)
        if found is not None:
            readable = guardian.can(current_user, "article.view", found)
            return {"article": found if readable else None, "may_create": False}
        return {
            "article": None,
            "may_create": guardian.can(current_user, "article.from_answer", thread),
        }

    def idea_article(idea) -> Article | None:
        found = queries.article_from_idea(idea.id)
        return (
            found
            if found is not None and guardian.can(current_user, "article.view", found)
            else None
        )

    return {"answer_article": answer_article, "idea_article": idea_article}
