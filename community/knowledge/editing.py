"""Knowledge base pages for writing: a new article, editing one or suggesting an edit,
accepting or declining suggested edits, publishing, unpublishing and deleting, and turning an
accepted answer into an article. Routes on the knowledge blueprint (``views.py``).

URLs (blueprint ``knowledge``). Reading is in ``views.py``.

    GET POST /kb/new                                new_article
        Write an article in a space (``?space=slug``) or site-wide
    GET POST /kb/<int:article_id>/edit              edit_article
        Edit an article (its writers), or suggest an edit (members who may write there)
    POST /kb/<int:article_id>/publish               publish
        Publish a draft
    POST /kb/<int:article_id>/unpublish             unpublish
        Take a published article back to draft
    POST /kb/<int:article_id>/delete                delete
        Delete an article
    POST /kb/suggestions/<int:revision_id>/accept   accept_suggestion
        Make a suggested edit the current revision
    POST /kb/suggestions/<int:revision_id>/decline  decline_suggestion
        Decline a suggested edit
    POST /t/<int:thread_id>/article                 from_answer
        Turn a question's accepted answer into a draft article, then edit it
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.errors import OperationError
from community.extensions import db
from community.forums.views import load_thread
from community.knowledge import operations
from community.knowledge.forms import ArticleForm, ConfirmForm
from community.knowledge.models import ArticleRevision
from community.knowledge.views import article_url, bp, load_article
from community.permissions import guardian
from community.products import queries as product_queries
from community.products.models import Product
from community.spaces.models import Space
from community.spaces.views import load_space
from community.web import drafts
from community.web.actions import attempt, finish, refuse_form, saving


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
        with saving(form) as saved:
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
        if saved:
            flash(_("Article published.") if article.is_published else _("Draft saved."), "success")
            drafts.posted("article-new", space.id if space else "site")
            return redirect(article_url(article))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "knowledge/edit.html", form=form, space=space, article=None, suggesting=False
    ), status


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
        with saving(form) as saved:
            if suggesting:
                operations.suggest_edit(article, **fields)
            else:
                operations.edit_article(article, product=_chosen_product(form), **fields)
        if saved:
            flash(
                _("Thanks: your suggested edit was sent to the article's editors.")
                if suggesting
                else _("Saved."),
                "success",
            )
            drafts.posted("article-edit", article.id)
            return redirect(article_url(article))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "knowledge/edit.html",
        form=form,
        space=article.space,
        article=article,
        suggesting=suggesting,
    ), status


def _set_published(article_id: int, publish: bool):
    article = load_article(article_id)
    guardian.require(current_user, "article.edit", article)
    target = article_url(article)
    if not ConfirmForm().validate_on_submit():
        return refuse_form(target)
    return attempt(
        target,
        lambda: operations.publish_article(article, by=current_user, publish=publish),
        _("Article published.") if publish else _("The article is a draft again."),
    )


@bp.route("/kb/<int:article_id>/publish", methods=["POST"])
@login_required
def publish(article_id: int):
    """Publish a draft."""
    return _set_published(article_id, True)


@bp.route("/kb/<int:article_id>/unpublish", methods=["POST"])
@login_required
def unpublish(article_id: int):
    """Take a published article back to draft."""
    return _set_published(article_id, False)


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
    return attempt(
        target,
        lambda: operations.delete_article(article, by=current_user),
        _("Article deleted."),
        refused_to=article_url(article),
    )


def _decide(revision_id: int, accept: bool):
    revision = db.get_or_404(ArticleRevision, revision_id)
    article = load_article(revision.article_id)
    guardian.require(current_user, "article.edit", article)
    target = article_url(article, _anchor="suggestions")
    if not ConfirmForm().validate_on_submit():
        return refuse_form(target)
    decide = operations.accept_suggestion if accept else operations.decline_suggestion
    return attempt(
        target,
        lambda: decide(revision, by=current_user),
        _("Suggested edit accepted.") if accept else _("Suggested edit declined."),
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
