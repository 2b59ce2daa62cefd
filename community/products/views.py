"""Product pages: the index, each product's roadmap and changelog, the admin pages for
products and releases, and the two moderator acts on an idea (its product, its release).

URLs (blueprint ``products``). ``/ideas/<id>/product`` and ``/ideas/<id>/release`` are served
here, not by ideas: products builds on ideas, and the idea page does not import products
(docs/architecture.md).

    GET /products                                             index
        Every product, with links to its roadmap and changelog
    GET /products/<slug>                                      product
        A product's page is its roadmap
    GET /products/<slug>/roadmap                              roadmap
        Planned, in progress and recently shipped ideas, filtered by tag or segment demand
    GET /products/<slug>/changelog                            changelog
        Releases, newest first, with their notes and the ideas they delivered
    GET /admin/products                                       admin_products
        The admin list of products
    GET POST /admin/products/new                              new_product
        Add a product and choose the spaces that own it
    GET POST /admin/products/<slug>/edit                      edit_product
        Rename or redescribe a product, or change the spaces that own it
    GET POST /products/<slug>/releases/new                    new_release
        Add a release of a product
    GET POST /products/<slug>/releases/<int:release_id>/edit  edit_release
        Correct a release's version, date or notes
    POST /ideas/<int:idea_id>/product                         set_idea_product
        Say which product an idea is for (a timeline step of its own)
    POST /ideas/<int:idea_id>/release                         link_idea_release
        Link a shipped idea to the release that delivered it, or unlink it
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from community.accounts.models import SEGMENTS
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import STATUS_LABELS
from community.ideas.views import load_idea
from community.permissions import guardian, permission_required
from community.products import operations, queries
from community.products.forms import (
    IdeaProductForm,
    IdeaReleaseForm,
    ProductForm,
    ReleaseForm,
    RoadmapArgs,
)
from community.products.models import Product, Release
from community.spaces.models import Space
from community.web import drafts
from community.web.actions import attempt, refuse_form, saving
from community.web.args import page_number, parse

bp = Blueprint("products", __name__)
bp.add_app_template_filter(format_date, "format_date")


@bp.app_template_test("readable_space")
def readable_space(space) -> bool:
    """Whether the reader may see ``space``: a product page names only the owning spaces its
    reader may read (a private space's name is not public)."""
    return guardian.can(current_user, "space.view", space)


def load_product(slug: str) -> Product:
    product = queries.product_by_slug(slug)
    if product is None:
        abort(404)
    return product


@bp.route("/products")
def index():
    """Every product, with links to its roadmap and changelog."""
    return render_template("products/index.html", products=queries.all_products())


@bp.route("/products/<slug>")
def product(slug: str):
    """A product's page is its roadmap."""
    return redirect(url_for("products.roadmap", slug=load_product(slug).slug))


@bp.route("/products/<slug>/roadmap")
def roadmap(slug: str):
    """Planned, in progress and recently shipped ideas, filtered by tag or segment demand."""
    product = load_product(slug)
    args = parse(RoadmapArgs())
    tag, segment = args["tag"].strip(), args["segment"]
    return render_template(
        "products/roadmap.html",
        product=product,
        roadmap=queries.roadmap(current_user, product, tag=tag, segment=segment),
        tags=queries.roadmap_tags(current_user, product),
        tag=tag,
        segment=segment,
        segments=SEGMENTS,
        status_labels=STATUS_LABELS,
        columns=queries.COLUMNS,
        recent_days=queries.RECENTLY_SHIPPED.days,
        column_max=queries.COLUMN_MAX,
    )


@bp.route("/products/<slug>/changelog")
def changelog(slug: str):
    """Releases, newest first, with their notes and the ideas they delivered."""
    product = load_product(slug)
    releases, delivered = queries.changelog(current_user, product, page_number())
    return render_template(
        "products/changelog.html", product=product, releases=releases, delivered=delivered
    )


def _space_choices(form: ProductForm) -> list[Space]:
    spaces = list(db.session.scalars(select(Space).order_by(Space.name)))
    form.spaces.choices = [(space.id, space.name) for space in spaces]
    return spaces


@bp.route("/admin/products")
@permission_required("product.manage")
def admin_products():
    """The admin list of products."""
    return render_template("products/admin.html", products=queries.all_products())


@bp.route("/admin/products/new", methods=["GET", "POST"])
@permission_required("product.manage")
def new_product():
    """Add a product and choose the spaces that own it."""
    form = ProductForm()
    spaces = _space_choices(form)
    if form.validate_on_submit():
        with saving(form) as saved:
            product = operations.create_product(
                name=form.name.data,
                slug=form.slug.data or "",
                description=form.description.data or "",
                space_ids=form.spaces.data or [],
                by=current_user,
            )
        if saved:
            flash(_("Product %(name)s added.", name=product.name), "success")
            return redirect(url_for("products.roadmap", slug=product.slug))
    return render_template("products/product_form.html", form=form, spaces=spaces, product=None)


@bp.route("/admin/products/<slug>/edit", methods=["GET", "POST"])
@permission_required("product.manage")
def edit_product(slug: str):
    """Rename or redescribe a product, or change the spaces that own it."""
    product = load_product(slug)
    form = ProductForm(obj=product if request.method == "GET" else None)
    if request.method == "GET":
        form.spaces.data = sorted(product.space_ids)
    spaces = _space_choices(form)
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.edit_product(
                product,
                name=form.name.data,
                slug=form.slug.data or "",
                description=form.description.data or "",
                space_ids=form.spaces.data or [],
                by=current_user,
            )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("products.roadmap", slug=product.slug))
    return render_template("products/product_form.html", form=form, spaces=spaces, product=product)


def _release_form(product: Product, release: Release | None):
    form = ReleaseForm(
        data={
            "version": release.version,
            "released_on": release.released_on.isoformat(),
            "notes": release.notes_source,
        }
        if release is not None and request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        fields = {
            "version": form.version.data,
            "released_on": form.release_date(),
            "notes": form.notes.data or "",
            "by": current_user,
        }
        draft = ("release-edit", release.id) if release is not None else ("release-new", product.id)
        with saving(form) as saved:
            if release is None:
                release = operations.create_release(product, **fields)
            else:
                operations.edit_release(release, **fields)
        if saved:
            flash(_("Release %(version)s saved.", version=release.version), "success")
            drafts.posted(*draft)
            return redirect(url_for("products.changelog", slug=product.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "products/release_form.html", form=form, product=product, release=release
    ), status


@bp.route("/products/<slug>/releases/new", methods=["GET", "POST"])
@permission_required("product.manage")
def new_release(slug: str):
    """Add a release of a product."""
    return _release_form(load_product(slug), None)


@bp.route("/products/<slug>/releases/<int:release_id>/edit", methods=["GET", "POST"])
@permission_required("product.manage")
def edit_release(slug: str, release_id: int):
    """Correct a release's version, date or notes."""
    product = load_product(slug)
    release = db.first_or_404(
        select(Release).where(Release.id == release_id, Release.product_id == product.id)
    )
    return _release_form(product, release)


def _chosen(model, raw: str | None, message: str):
    """The row chosen in a select (None for the empty choice); refuses anything else."""
    raw = (raw or "").strip()
    if not raw:
        return None
    row = db.session.get(model, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if row is None:
        raise OperationError(message)
    return row


def _tie_idea(
    idea_id: int,
    *,
    action: str,
    form: FlaskForm,
    field: str,
    model: type[Product] | type[Release],
    operation: Callable,
    unknown: str,
    tied: Callable,
    untied: str,
):
    """The idea page's product or release select posted: ``field`` of ``form`` picks a row
    of ``model`` or none (``unknown`` refuses any other value), ``operation(idea, row, by=…)``
    ties the idea to it, and the flash says ``tied(row)``, or ``untied`` for none."""
    idea = load_idea(idea_id)
    guardian.require(current_user, action, idea)
    target = url_for("ideas.idea", idea_id=idea.id, _anchor="timeline")
    if not form.validate_on_submit():
        return refuse_form(target)

    def tie():
        row = _chosen(model, form[field].data, unknown)
        operation(idea, row, by=current_user)
        return row

    return attempt(target, tie, lambda row: tied(row) if row else untied)


@bp.route("/ideas/<int:idea_id>/product", methods=["POST"])
@login_required
def set_idea_product(idea_id: int):
    """Say which product an idea is for (a timeline step of its own)."""
    return _tie_idea(
        idea_id,
        action="idea.set_product",
        form=IdeaProductForm(),
        field="product",
        model=Product,
        operation=operations.set_idea_product,
        unknown=_("Choose a product from the list."),
        tied=lambda product: _("The idea is now for %(product)s.", product=product.name),
        untied=_("The idea is no longer tied to a product."),
    )


@bp.route("/ideas/<int:idea_id>/release", methods=["POST"])
@login_required
def link_idea_release(idea_id: int):
    """Link a shipped idea to the release that delivered it, or unlink it."""
    return _tie_idea(
        idea_id,
        action="idea.link_release",
        form=IdeaReleaseForm(),
        field="release",
        model=Release,
        operation=operations.link_release,
        unknown=_("Choose a release from the list."),
        tied=lambda release: _("Linked to release %(version)s.", version=release.version),
        untied=_("The idea is no longer linked to a release."),
    )


@bp.app_context_processor
def idea_product_panel() -> dict:
    """For idea pages, which do not import this feature: ``product_panel(idea)`` (the idea's
    product and release, and for moderators the forms that set them), and
    ``product_filter_choices(space)`` (the products an idea list may be filtered by)."""

    def panel(idea) -> dict:
        may_set = guardian.can(current_user, "idea.set_product", idea)
        product_form = release_form = None
        if may_set:
            product_form = IdeaProductForm(formdata=None, data={"product": idea.product_id or ""})
            product_form.product.choices = [("", _("No product"))] + [
                (str(p.id), p.name) for p in queries.products_of_space(idea.space_id)
            ]
            release_form = IdeaReleaseForm(formdata=None, data={"release": idea.release_id or ""})
            release_form.release.choices = [("", _("No release"))] + [
                (str(r.id), r.version) for r in queries.release_choices(idea)
            ]
        return {
            "product": idea.product,
            "release": idea.release,
            "product_form": product_form,
            "release_form": release_form,
        }

    def filter_choices(space) -> list[Product]:
        return queries.products_of_space(space.id) if space else queries.all_products()

    return {"product_panel": panel, "product_filter_choices": filter_choices}
