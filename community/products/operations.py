"""Every change to products and releases, and the two explicit acts that tie an idea to them:
setting its product, and linking it (once shipped) to the release that delivered it.

Neither act touches the idea's status, and a status change touches neither link: each is a
step of its own on the idea's timeline (``IdeaStatusChange.kind``).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from community import signals
from community.accounts.models import User
from community.accounts.queries import resolve_usernames
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, TimelineKind
from community.permissions import guardian
from community.products.models import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTES_MAX,
    VERSION_MAX,
    VERSION_PATTERN,
    Product,
    Release,
)
from community.spaces.models import Space
from community.spaces.operations import RESERVED_SLUGS, SLUG_RE, slugify
from community.text.markdown import render_markdown

#: Releases are dated from this day on, and at most this far ahead (a release being prepared).
EARLIEST_RELEASE = date(1990, 1, 1)
LATEST_AHEAD = timedelta(days=366)


def _clean_product(
    name: str, slug: str, description: str, exclude: Product | None
) -> tuple[str, str, str]:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise OperationError(
            _("Give the product a name of at most %(count)d characters.", count=NAME_MAX), "name"
        )
    slug = (slug or "").strip().lower() or slugify(name)
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise OperationError(
            _("Use lower-case letters, digits and hyphens for the address."), field="slug"
        )
    taken = select(Product.id).where(Product.slug == slug)
    if exclude is not None:
        taken = taken.where(Product.id != exclude.id)
    if db.session.scalar(taken) is not None:
        raise OperationError(_("Another product already uses that address."), field="slug")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise OperationError(
            _("A description may have at most %(count)d characters.", count=DESCRIPTION_MAX),
            "description",
        )
    return name, slug, description


def _spaces(space_ids: list[int]) -> list[Space]:
    spaces = list(db.session.scalars(select(Space).where(Space.id.in_(space_ids))))
    if len(spaces) != len(set(space_ids)):
        raise OperationError(_("Choose the owning spaces from the list."), field="spaces")
    return spaces


def create_product(
    *, name: str, slug: str = "", description: str = "", space_ids: list[int], by: User
) -> Product:
    """Add a product owned by the given spaces (site admins)."""
    guardian.ensure(by, "product.manage", None, _("Only site admins manage products."))
    name, slug, description = _clean_product(name, slug, description, None)
    product = Product(name=name, slug=slug, description=description, spaces=_spaces(space_ids))
    db.session.add(product)
    db.session.flush()
    signals.product_saved.send(
        product, change="created", before=None, after=_product_fields(product), by=by
    )
    return product


def _product_fields(product: Product) -> dict:
    return {
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "spaces": sorted(product.space_ids),
    }


def edit_product(
    product: Product, *, name: str, slug: str, description: str, space_ids: list[int], by: User
) -> None:
    """Rename or redescribe a product, or change the spaces that own it (site admins).

    A space that stops owning the product keeps its ideas' links: they were true when made."""
    guardian.ensure(by, "product.manage", product, _("Only site admins manage products."))
    name, slug, description = _clean_product(name, slug, description, product)
    before = _product_fields(product)
    product.name, product.slug, product.description = name, slug, description
    product.spaces = _spaces(space_ids)
    product.updated_at = utcnow()
    db.session.flush()
    signals.product_saved.send(
        product, change="edited", before=before, after=_product_fields(product), by=by
    )


def _clean_release(product: Product, version: str, released_on, notes: str, exclude=None):
    version = (version or "").strip()
    if not version:
        raise OperationError(_("Give the release a version, such as 1.2 or 2.0.1."), "version")
    if len(version) > VERSION_MAX or not VERSION_PATTERN.match(version):
        raise OperationError(
            _(
                "Write the version as two to four numbers separated by dots (1.2, 1.2.3, "
                "2026.11), optionally followed by a hyphen and a label such as -beta.2; at "
                "most %(count)d characters.",
                count=VERSION_MAX,
            ),
            "version",
        )
    if not isinstance(released_on, date):
        raise OperationError(_("Give the release date."), "released_on")
    latest = utcnow().date() + LATEST_AHEAD
    if not EARLIEST_RELEASE <= released_on <= latest:
        raise OperationError(
            _(
                "The release date must be between %(first)s and %(last)s.",
                first=EARLIEST_RELEASE.isoformat(),
                last=latest.isoformat(),
            ),
            "released_on",
        )
    taken = select(Release.id).where(Release.product_id == product.id, Release.version == version)
    if exclude is not None:
        taken = taken.where(Release.id != exclude.id)
    if db.session.scalar(taken) is not None:
        raise OperationError(
            _(
                "%(product)s already has a release %(version)s.",
                product=product.name,
                version=version,
            ),
            "version",
        )
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise OperationError(
            _("Release notes may have at most %(count)d characters.", count=NOTES_MAX), "notes"
        )
    return version, notes


def create_release(
    product: Product, *, version: str, released_on: date | None, notes: str = "", by: User
) -> Release:
    """Add a release of ``product`` (site admins). Versions are unique per product."""
    guardian.ensure(by, "product.manage", product, _("Only site admins manage releases."))
    version, notes = _clean_release(product, version, released_on, notes)
    release = Release(
        product_id=product.id,
        version=version,
        released_on=released_on,
        notes_source=notes,
        notes_html=render_markdown(notes, resolve_usernames).html if notes else "",
    )
    db.session.add(release)
    db.session.flush()
    signals.product_saved.send(
        release, change="created", before=None, after=_release_fields(release), by=by
    )
    return release


def _release_fields(release: Release) -> dict:
    return {
        "product": release.product.slug,
        "version": release.version,
        "released_on": release.released_on.isoformat() if release.released_on else None,
        "notes": release.notes_source,
    }


def edit_release(
    release: Release, *, version: str, released_on: date | None, notes: str = "", by: User
) -> None:
    """Correct a release's version, date or notes (site admins)."""
    guardian.ensure(by, "product.manage", release.product, _("Only site admins manage releases."))
    version, notes = _clean_release(release.product, version, released_on, notes, release)
    before = _release_fields(release)
    release.version, release.released_on, release.notes_source = version, released_on, notes
    release.notes_html = render_markdown(notes, resolve_usernames).html if notes else ""
    db.session.flush()
    signals.product_saved.send(
        release, change="edited", before=before, after=_release_fields(release), by=by
    )


def _record(idea: Idea, kind: TimelineKind, by: User, **links) -> IdeaStatusChange:
    """A timeline step that leaves the status as it is."""
    step = IdeaStatusChange(
        idea_id=idea.id,
        kind=kind.value,
        from_status=idea.status,
        to_status=idea.status,
        by_id=by.id,
        **links,
    )
    db.session.add(step)
    idea.updated_at = utcnow()
    db.session.flush()
    return step


def set_idea_product(idea: Idea, product: Product | None, *, by: User) -> IdeaStatusChange:
    """Say which product ``idea`` is for (None: no product); one its space owns (space
    moderators). An idea linked to a release keeps its product until it is unlinked."""
    guardian.ensure(by, "idea.set_product", idea, _("You may not set this idea's product."))
    if product is not None and idea.space_id not in product.space_ids:
        raise OperationError(
            _("%(product)s is not a product of this space.", product=product.name), "product"
        )
    new_id = product.id if product is not None else None
    if new_id == idea.product_id:
        raise OperationError(_("The idea is already set to that product."), "product")
    if idea.release_id is not None:
        raise OperationError(
            _("This idea is linked to a release. Unlink it before changing its product."),
            "product",
        )
    before = idea.product_id
    idea.product_id = new_id
    step = _record(idea, TimelineKind.PRODUCT, by, product_id=new_id)
    signals.idea_linked.send(idea, link="product", before=before, after=new_id, by=by)
    return step


def link_release(idea: Idea, release: Release | None, *, by: User) -> IdeaStatusChange:
    """Link a shipped ``idea`` to the release of its product that delivered it, or unlink it
    (None). Its status stays as it is: shipping is a status change of its own."""
    guardian.ensure(by, "idea.link_release", idea, _("You may not link this idea to a release."))
    if release is not None:
        if idea.status != IdeaStatus.SHIPPED:
            raise OperationError(
                _("Only a shipped idea can be linked to a release. Change its status first."),
                "release",
            )
        if idea.product_id is None or release.product_id != idea.product_id:
            raise OperationError(_("Choose a release of the idea's product."), "release")
    new_id = release.id if release is not None else None
    if new_id == idea.release_id:
        raise OperationError(_("The idea is already linked to that release."), "release")
    before = idea.release_id
    idea.release_id = new_id
    step = _record(idea, TimelineKind.RELEASE, by, release_id=new_id, product_id=idea.product_id)
    signals.idea_linked.send(idea, link="release", before=before, after=new_id, by=by)
    if release is not None:
        signals.idea_released.send(idea, release=release, by=by)
    return step
