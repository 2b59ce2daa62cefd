"""Product operations called directly: the version rule, editing, and refusals that change
nothing."""

from __future__ import annotations

from datetime import date

import pytest

from community.accounts.models import User
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea
from community.products import operations
from community.products.models import VERSION_PATTERN, Product, Release


@pytest.mark.parametrize(
    "version", ["1.2", "1.2.3", "2026.11", "1.4.0-beta.2", "3.0-rc1", "10.0.0.1"]
)
def test_versions_accepted(version):
    assert VERSION_PATTERN.match(version)


@pytest.mark.parametrize(
    "version", ["1", "v1.2", "1.2.", ".1", "1..2", "1.2-", "1.2-beta..1", "1.2 beta", "1.2.3.4.5"]
)
def test_versions_refused(version):
    assert not VERSION_PATTERN.match(version)


def test_editing_a_release_keeps_versions_unique(
    app, cast, site_admin, create_product, create_release
):
    product = create_product([cast.space])
    create_release(product, "1.0")
    second = create_release(product, "1.1")
    with app.test_request_context():
        admin = db.session.get(User, site_admin.id)
        release = db.session.get(Release, second.id)
        with pytest.raises(OperationError, match="already has a release 1.0"):
            operations.edit_release(release, version="1.0", released_on=date(2026, 1, 1), by=admin)
        db.session.rollback()
        release = db.session.get(Release, second.id)
        operations.edit_release(
            release, version="1.1.1", released_on=date(2026, 2, 1), notes="*x*", by=admin
        )
        assert release.version == "1.1.1" and release.notes_html == "<p><em>x</em></p>\n"
        # Its own version again is not a duplicate.
        operations.edit_release(release, version="1.1.1", released_on=date(2026, 2, 1), by=admin)


def test_only_admins_create_products_and_releases(app, cast, create_product):
    product = create_product([cast.space])
    with app.test_request_context():
        owner = db.session.get(User, cast.owner.id)
        with pytest.raises(OperationError):
            operations.create_product(name="Nope", space_ids=[], by=owner)
        with pytest.raises(OperationError):
            operations.create_release(
                db.session.get(Product, product.id),
                version="1.0",
                released_on=date(2026, 1, 1),
                by=owner,
            )


def test_a_release_of_another_product_is_refused(
    app, cast, create_idea, create_product, create_release, set_status, link_idea
):
    mine, other = create_product([cast.space]), create_product([cast.space])
    foreign = create_release(other, "1.0")
    idea = create_idea(cast.space, cast.asker)
    link_idea(idea, cast.owner, mine)
    set_status(idea, "shipped", cast.owner)
    with app.test_request_context():
        row = db.session.get(Idea, idea.id)
        with pytest.raises(OperationError, match="release of the idea's product"):
            operations.link_release(
                row, db.session.get(Release, foreign.id), by=db.session.get(User, cast.owner.id)
            )
