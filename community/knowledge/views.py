"""Knowledge base pages: the index, a space's Knowledge tab, an article with its sources and
"Did this help?", its history and diffs, writing, editing and suggesting edits; turning an
accepted answer into an article; and the suggestions shown while a question is typed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.errors import OperationError
from community.extensions import db
from community.forums.models import Thread
from community.forums.views import load_thread
from community.ideas.models import Idea
from community.knowledge import operations, queries
from community.knowledge.forms import (
    ArticleForm,
    ArticleListArgs,
    ConfirmForm,
    DeflectForm,
    DiffArgs,
    FeedbackForm,
)
from community.knowledge.models import STATUS_LABELS, Article, ArticleRevision, RevisionState
from community.permissions import guardian
from community.products import queries as product_queries
from community.products.models import Product, Release
from community.search.backend import clean_query_text
from community.search.service import search_service
from community.spaces import queries as space_queries
from community.spaces.models import Space
from community.spaces.permissions import membership_of
from community.spaces.views import load_space
from community.text.diff import diff_html
from community.web.actions import finish, refuse_form
from community.web.args import page_number, parse

bp = Blueprint("knowledge", __name__)

SUGGESTIONS = 5


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


def _product_choices(form: ArticleForm, space: Space | None) -> None:
    products = (
        product_queries.products_of_space(space.id) if space else product_queries.all_products()
    )
    form.product.choices = [("", _("No product"))] + [(str(p.id), p.name) for p in products]


def _chosen_product(form: ArticleForm) -> Product | None:
    raw = (form.product.data or "").strip()
    if not raw:
        return None
    product = db.session.get(Product, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if product is None:
        raise OperationError(_("Choose a product from the list."), "product")
    return product


@bp.route("/kb/new", methods=["GET", "POST"])
@login_required
def new_article():
    """Write an article in a space (``?space=slug``) or site-wide."""
    slug = request.values.get("space", "")
    space = load_space(slug) if slug else None
    guardian.require(current_user, "article.write", space)
    form = ArticleForm()
    _product_choices(form, space)
    if form.validate_on_submit():
        try:
            article = operations.create_article(
                space,
                title=form.title.data,
                body=form.body.data,
                tags=form.tags.data or "",
                product=_chosen_product(form),
                summary=form.summary.data or "",
                publish=request.form.get("action") == "publish",
                by=current_user,
            )
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            flash(_("Article published.") if article.is_published else _("Draft saved."), "success")
            return redirect(article_url(article))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "knowledge/edit.html", form=form, space=space, article=None, suggesting=False
    ), status


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


@bp.route("/kb/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit_article(article_id: int):
    """Edit an article (its writers), or suggest an edit (members who may write there)."""
    article = load_article(article_id)
    suggesting = not guardian.can(current_user, "article.edit", article)
    if suggesting:
        guardian.require(current_user, "article.suggest", article)
    form = ArticleForm()
    _product_choices(form, article.space)
    if request.method == "GET":
        form.title.data, form.body.data = article.title, article.body_source
        form.tags.data = ", ".join(article.tag_names)
        form.product.data = str(article.product_id or "")
    if form.validate_on_submit():
        fields = {
            "title": form.title.data,
            "body": form.body.data,
            "tags": form.tags.data or "",
            "summary": form.summary.data or "",
            "by": current_user,
        }
        try:
            if suggesting:
                operations.suggest_edit(article, **fields)
            else:
                operations.edit_article(article, product=_chosen_product(form), **fields)
        except OperationError as error:
            db.session.rollback()
            error.attach_to(form)
        else:
            db.session.commit()
            flash(
                _("Thanks: your suggested edit was sent to the article's editors.")
                if suggesting
                else _("Saved."),
                "success",
            )
            return redirect(article_url(article))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "knowledge/edit.html",
        form=form,
        space=article.space,
        article=article,
        suggesting=suggesting,
    ), status


def _one_button(article: Article, action) -> object:
    target = article_url(article)
    if not ConfirmForm().validate_on_submit():
        return refuse_form(target)
    try:
        message = action()
    except OperationError as error:
        return finish(target, error)
    return finish(target, message=message)


@bp.route("/kb/<int:article_id>/publish", methods=["POST"])
@login_required
def publish(article_id: int):
    """Publish a draft."""
    article = load_article(article_id)
    guardian.require(current_user, "article.edit", article)
    return _one_button(
        article,
        lambda: operations.publish_article(article, by=current_user) or _("Article published."),
    )


@bp.route("/kb/<int:article_id>/unpublish", methods=["POST"])
@login_required
def unpublish(article_id: int):
    """Take a published article back to draft."""
    article = load_article(article_id)
    guardian.require(current_user, "article.edit", article)
    return _one_button(
        article,
        lambda: (
            operations.publish_article(article, by=current_user, publish=False)
            or _("The article is a draft again.")
        ),
    )


@bp.route("/kb/<int:article_id>/delete", methods=["POST"])
@login_required
def delete(article_id: int):
    """Delete an article."""
    article = load_article(article_id)
    guardian.require(current_user, "article.edit", article)
    target = (
        url_for("knowledge.space_articles", slug=article.space.slug)
        if article.space
        else url_for("knowledge.index")
    )
    if not ConfirmForm().validate_on_submit():
        return refuse_form(article_url(article))
    try:
        operations.delete_article(article, by=current_user)
    except OperationError as error:
        return finish(article_url(article), error)
    return finish(target, message=_("Article deleted."))


@bp.route("/kb/<int:article_id>/feedback", methods=["POST"])
@login_required
def feedback(article_id: int):
    """Answer "Did this help?"."""
    article = load_article(article_id)
    target = article_url(article, _anchor="feedback")
    form = FeedbackForm()
    if not form.validate_on_submit():
        return refuse_form(target)
    try:
        operations.rate_article(article, by=current_user, helpful=form.helpful.data == "yes")
    except OperationError as error:
        return finish(target, error)
    return finish(target, message=_("Thanks for telling us."))


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


def _decide(revision_id: int, accept: bool):
    revision = db.get_or_404(ArticleRevision, revision_id)
    article = load_article(revision.article_id)
    guardian.require(current_user, "article.edit", article)
    target = article_url(article, _anchor="suggestions")
    if not ConfirmForm().validate_on_submit():
        return refuse_form(target)
    try:
        if accept:
            operations.accept_suggestion(revision, by=current_user)
        else:
            operations.decline_suggestion(revision, by=current_user)
    except OperationError as error:
        return finish(target, error)
    return finish(
        target,
        message=_("Suggested edit accepted.") if accept else _("Suggested edit declined."),
    )


@bp.route("/kb/suggestions/<int:revision_id>/accept", methods=["POST"])
@login_required
def accept_suggestion(revision_id: int):
    """Make a suggested edit the current revision."""
    return _decide(revision_id, True)


@bp.route("/kb/suggestions/<int:revision_id>/decline", methods=["POST"])
@login_required
def decline_suggestion(revision_id: int):
    """Decline a suggested edit."""
    return _decide(revision_id, False)


@bp.route("/t/<int:thread_id>/article", methods=["POST"])
@login_required
def from_answer(thread_id: int):
    """Turn a question's accepted answer into a draft article, then edit it."""
    thread = load_thread(thread_id)
    guardian.require(current_user, "article.from_answer", thread)
    target = url_for("forums.thread", thread_id=thread.id)
    if not ConfirmForm().validate_on_submit():
        return refuse_form(target)
    try:
        article = operations.article_from_answer(thread, by=current_user)
    except OperationError as error:
        return finish(target, error)
    db.session.commit()
    flash(_("A draft article was made from the answer. Edit it, then publish it."), "success")
    return redirect(url_for("knowledge.edit_article", article_id=article.id))


def deflection_suggestions(user, space: Space, text: str) -> list[dict]:
    """Published articles and solved threads matching ``text`` that ``user`` may read, best
    first: the space's own and site-wide articles, and solved questions of any readable space."""
    hits = search_service().suggest(user, text, kinds=("article", "thread"), limit=SUGGESTIONS * 3)
    chosen = []
    for hit in hits:
        if hit.kind == "thread" and hit.status != "solved":
            continue
        if hit.kind == "article" and hit.status != "published":
            continue
        chosen.append(hit)
    chosen = chosen[:SUGGESTIONS]
    # The index may lag the database: check every hit against the rows and the rules again.
    ids = {
        kind: [int(h.id.split(":")[1]) for h in chosen if h.kind == kind]
        for kind in ("article", "thread")
    }
    articles = (
        {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids["article"])))}
        if ids["article"]
        else {}
    )
    threads = (
        {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_(ids["thread"])))}
        if ids["thread"]
        else {}
    )
    results = []
    for hit in chosen:
        number = int(hit.id.split(":")[1])
        if hit.kind == "article":
            row = articles.get(number)
            ok = row is not None and row.is_published and guardian.can(user, "article.view", row)
        else:
            row = threads.get(number)
            ok = row is not None and row.is_solved and guardian.can(user, "thread.view", row)
        if ok:
            results.append(
                {
                    "ref": hit.id,
                    "kind": hit.kind,
                    "title": row.title,
                    "url": hit.url,
                    "space": hit.space_name,
                }
            )
    return results


@bp.route("/s/<slug>/ask/suggestions")
@login_required
def suggestions(slug: str):
    """The suggestions for a question title being typed (an HTML fragment)."""
    space = load_space(slug)
    q = clean_query_text(request.args.get("q", ""))
    items = deflection_suggestions(current_user, space, q) if len(q) >= 3 else []
    response = render_template(
        "knowledge/_suggestions.html", space=space, items=items, q=q, form=DeflectForm()
    )
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.route("/s/<slug>/ask/answered", methods=["POST"])
@login_required
def answered(slug: str):
    """ "This answered my question": record it, do not post the question, go to the answer."""
    space = load_space(slug)
    back = url_for("forums.new_thread", slug=space.slug, kind="question")
    form = DeflectForm()
    if not form.validate_on_submit():
        return refuse_form(back)
    refs = operations.parse_refs(form.target.data, limit=1)
    article = thread = None
    if refs:
        kind, number = refs[0]
        if kind == "article":
            article = db.session.get(Article, number)
        else:
            thread = db.session.get(Thread, number)
    if article is None and thread is None:
        return refuse_form(back)
    try:
        operations.record_answered(
            space, by=current_user, title=form.title.data or "", article=article, thread=thread
        )
    except OperationError as error:
        return finish(back, error)
    target = article_url(article) if article else url_for("forums.thread", thread_id=thread.id)
    return finish(target, message=_("Glad that helped! Your question was not posted."))


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
