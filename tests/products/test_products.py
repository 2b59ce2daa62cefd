"""Products and releases: admin management, refusals, an idea's product and release as
explicit timeline steps, the roadmap and the changelog (visibility, filters, query counts)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from community import signals
from community.accounts.models import User
from community.analytics.explorer import IdeaFilters, explore, export_rows
from community.database import utcnow
from community.extensions import db
from community.ideas import queries as ideas_queries
from community.ideas.models import Idea, IdeaStatusChange
from community.ideas.queries import IDEA_LIST_COLUMNS
from community.products import queries as product_queries
from community.products.models import Product, Release
from community.spaces.models import Space
from tests.fixtures.app import page_text


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def fresh_idea(app, idea_id) -> Idea:
    with app.app_context():
        row = db.session.get(Idea, idea_id)
        db.session.expunge(row)
        return row


def test_admin_creates_a_product_and_a_release(app, client, cast, login, site_admin):
    login(client, site_admin)
    assert "Products" in page_text(client.get("/admin/products"))
    response = client.submit(
        "/admin/products/new",
        {"name": "Scan Suite", "slug": "", "description": "Imaging.", "spaces": [cast.space.id]},
    )
    assert response.status_code == 302 and response.location.endswith(
        "/products/scan-suite/roadmap"
    )
    response = client.submit(
        "/products/scan-suite/releases/new",
        {
            "version": "1.4.0-beta.2",
            "released_on": "2026-11-20",
            "notes": "**Faster** <script>x</script>",
        },
    )
    assert response.status_code == 302
    html = client.get("/products/scan-suite/changelog").get_data(as_text=True)
    assert "1.4.0-beta.2" in html and "<strong>Faster</strong>" in html and "<script>x" not in html
    with app.app_context():
        product = db.session.scalar(select(Product))
        assert [s.id for s in product.spaces] == [cast.space.id]
    # Reachable from the index and the main navigation.
    index = client.get("/products").get_data(as_text=True)
    assert 'href="/products"' in index and "Scan Suite" in index


@pytest.mark.parametrize(
    "version, released_on, message",
    [
        ("", "2026-11-20", "Give the release a version"),
        ("v1.2", "2026-11-20", "two to four numbers"),
        ("1", "2026-11-20", "two to four numbers"),
        ("1.2.3.4.5", "2026-11-20", "two to four numbers"),
        ("1.2-" + "b" * 40, "2026-11-20", "two to four numbers"),
        ("1.2 beta", "2026-11-20", "two to four numbers"),
        ("1.0", "", "Give the release date"),
        ("1.0", "20/11/2026", "year-month-day"),
        ("1.0", "2026-02-30", "year-month-day"),
        ("1.0", "1899-01-01", "must be between"),
        ("1.0", (date.today() + timedelta(days=800)).isoformat(), "must be between"),
        ("2.0", "2026-11-20", "already has a release 2.0"),
    ],
)
def test_bad_releases_are_refused_and_change_nothing(
    app,
    client,
    cast,
    login,
    site_admin,
    create_product,
    create_release,
    version,
    released_on,
    message,
):
    product = create_product([cast.space])
    create_release(product, "2.0")
    login(client, site_admin)
    response = client.submit(
        f"/products/{product.slug}/releases/new", {"version": version, "released_on": released_on}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert count(app, Release) == 1


def test_bad_products_are_refused(app, client, cast, login, site_admin, create_product):
    taken = create_product([cast.space], name="Taken")
    login(client, site_admin)
    for data, message in [
        ({"name": ""}, "Give the product a name"),
        ({"name": "New", "slug": taken.slug}, "Another product already uses that address"),
        ({"name": "New", "slug": "Bad Slug!"}, "lower-case letters"),
        ({"name": "Fresh", "spaces": [99999]}, "Choose the owning spaces"),
    ]:
        response = client.submit("/admin/products/new", data)
        assert response.status_code == 200 and message in page_text(response), message
    assert count(app, Product) == 1


def test_only_admins_manage_products(client, cast, login, create_product):
    product = create_product([cast.space])
    login(client, cast.owner)
    assert client.get("/admin/products").status_code == 403
    assert client.submit("/admin/products/new", {"name": "X"}).status_code == 403
    assert client.get(f"/products/{product.slug}/releases/new").status_code == 403
    assert client.get(f"/products/{product.slug}/roadmap").status_code == 200


def test_moderator_ships_and_links_as_separate_steps(
    app, client, cast, login, create_idea, create_product, create_release, create_space
):
    idea = create_idea(cast.space, cast.asker, title="Batch export")
    product = create_product([cast.space], name="Scan Suite")
    other = create_product([create_space("Elsewhere")], name="Other")
    release = create_release(product, "2.1")
    login(client, cast.owner)
    url = f"/ideas/{idea.id}"
    # A product the space does not own is refused.
    client.submit(f"{url}/product", {"product": other.id})
    assert fresh_idea(app, idea.id).product_id is None
    client.submit(f"{url}/product", {"product": product.id})
    assert fresh_idea(app, idea.id).product_id == product.id
    # Not shipped yet: linking is refused and the status stays.
    response = client.submit(f"{url}/release", {"release": release.id}, follow_redirects=True)
    assert "Only a shipped idea can be linked" in page_text(response)
    assert fresh_idea(app, idea.id).release_id is None
    # Shipping does not link.
    client.submit(f"{url}/status", {"status": "shipped", "response": "Out now."})
    assert fresh_idea(app, idea.id).release_id is None
    released = []
    with signals.idea_released.connected_to(
        lambda sender, **kw: released.append((sender.id, kw["release"].version, kw["by"].id))
    ):
        client.submit(f"{url}/release", {"release": release.id})
    row = fresh_idea(app, idea.id)
    assert row.release_id == release.id and row.status == "shipped"
    assert released == [(idea.id, "2.1", cast.owner.id)]
    with app.app_context():
        kinds = db.session.scalars(
            select(IdeaStatusChange.kind)
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id)
        ).all()
    assert kinds == ["product", "status", "release"]
    text = page_text(client.get(url))
    assert "Set to product Scan Suite" in text and "Linked to release 2.1" in text
    assert "Delivered in version 2.1" in text
    # The product stays while linked; a release of another product is refused.
    response = client.submit(f"{url}/product", {"product": ""}, follow_redirects=True)
    assert "Unlink it before changing its product" in page_text(response)
    # Moving away from shipped does not unlink silently either.
    client.submit(f"{url}/status", {"status": "in_progress", "response": "Regression."})
    assert fresh_idea(app, idea.id).release_id == release.id
    client.submit(f"{url}/release", {"release": ""})
    assert fresh_idea(app, idea.id).release_id is None
    assert fresh_idea(app, idea.id).status == "in_progress"


def test_members_and_experts_cannot_set_product_or_release(
    app, client, cast, login, create_idea, create_product
):
    idea = create_idea(cast.space, cast.asker)
    product = create_product([cast.space])
    for user in (cast.asker, cast.expert, cast.outsider):
        login(client, user)
        assert (
            client.submit(f"/ideas/{idea.id}/product", {"product": product.id}).status_code == 403
        )
        assert client.submit(f"/ideas/{idea.id}/release", {"release": ""}).status_code == 403
    assert fresh_idea(app, idea.id).product_id is None


def test_forged_choices_are_refused(app, client, cast, login, create_idea, create_product):
    idea = create_idea(cast.space, cast.asker)
    create_product([cast.space])
    login(client, cast.owner)
    for value in ("abc", "99999"):
        response = client.submit(
            f"/ideas/{idea.id}/product", {"product": value}, follow_redirects=True
        )
        assert "Choose a product from the list" in page_text(response)
    assert fresh_idea(app, idea.id).product_id is None


@pytest.fixture
def roadmap_setup(
    app,
    cast,
    create_space,
    add_member,
    create_idea,
    create_product,
    create_release,
    set_status,
    link_idea,
    vote_for,
    create_user,
):
    """A product owned by the public cast space and a private space, with ideas in every
    column; the private space's shipped idea is linked to the release too."""
    private = create_space("Secret Lab", visibility="private")
    add_member(private, cast.member)
    product = create_product([cast.space, private], name="Scan Suite")
    release = create_release(product, "3.0", notes="Big one")
    ideas = {}
    for key, space, status, tags in [
        ("planned", cast.space, "planned", "ui"),
        ("progress", cast.space, "in_progress", "api"),
        ("shipped", cast.space, "shipped", "ui"),
        ("secret", private, "shipped", "ui"),
        ("new", cast.space, "new", ""),
        ("declined", cast.space, "declined", ""),
    ]:
        author = cast.asker if space is cast.space else cast.member
        idea = create_idea(space, author, title=f"Idea {key}", tags=tags)
        link_idea(idea, cast.owner, product)
        if status != "new":
            set_status(idea, status, cast.owner)
        ideas[key] = idea
    link_idea(ideas["shipped"], cast.owner, product, release)
    link_idea(ideas["secret"], cast.owner, product, release)
    enterprise = create_user("entvoter", segment="enterprise", display_name="Enid Enterprise")
    vote_for(ideas["planned"], enterprise)
    vote_for(ideas["planned"], cast.member)
    return product, release, ideas


def test_roadmap_columns_respect_visibility(client, cast, login, roadmap_setup):
    product, _release, _ideas = roadmap_setup
    page = client.get(f"/products/{product.slug}/roadmap")
    text = page_text(page)
    assert "Idea planned" in text and "Idea progress" in text and "Idea shipped" in text
    assert "Idea secret" not in text and "Idea new" not in text and "Idea declined" not in text
    # Public: 1 of 4 counted ideas (new, planned, in progress, shipped) shipped.
    assert "1 of 4 ideas shipped · 25%" in text
    login(client, cast.member)
    text = page_text(client.get(f"/products/{product.slug}/roadmap"))
    assert "Idea secret" in text and "2 of 5 ideas shipped · 40%" in text


def test_roadmap_filters_by_tag_and_segment(client, roadmap_setup):
    product, _release, _ideas = roadmap_setup
    text = page_text(client.get(f"/products/{product.slug}/roadmap?tag=api"))
    assert "Idea progress" in text and "Idea planned" not in text
    text = page_text(client.get(f"/products/{product.slug}/roadmap?segment=enterprise"))
    assert "Idea planned" in text and "1 vote from Enterprise" in text
    assert "Idea progress" not in text and "Idea shipped" not in text
    # An unknown segment is refused with the choices, rather than hiding or showing everything.
    unknown = client.get(f"/products/{product.slug}/roadmap?segment=zz")
    assert unknown.status_code == 400 and "segment: Choose one of:" in page_text(unknown)


def test_shipped_long_ago_leaves_the_roadmap(app, client, roadmap_setup):
    product, _release, ideas = roadmap_setup
    with app.app_context():
        db.session.get(Idea, ideas["shipped"].id).status_changed_at = utcnow() - timedelta(days=91)
        db.session.commit()
    text = page_text(client.get(f"/products/{product.slug}/roadmap"))
    assert "Idea shipped" not in text and "1 of 4 ideas shipped" in text


def test_changelog_credits_proposers_and_supporters(
    app, client, cast, login, roadmap_setup, create_user, vote_for
):
    product, _release, ideas = roadmap_setup
    text = page_text(client.get(f"/products/{product.slug}/changelog"))
    assert "Version 3.0" in text and "Big one" in text
    assert "Idea shipped" in text and "Proposed by Casey" in text
    assert "Idea secret" not in text
    login(client, cast.member)
    assert "Idea secret" in page_text(client.get(f"/products/{product.slug}/changelog"))


def test_changelog_is_paginated(client, cast, create_product, create_release):
    product = create_product([cast.space])
    for n in range(7):
        create_release(product, f"1.{n}", released_on=date(2026, 1, 1) + timedelta(days=n))
    first = page_text(client.get(f"/products/{product.slug}/changelog"))
    assert "Version 1.6" in first and "Version 1.1" not in first
    second = page_text(client.get(f"/products/{product.slug}/changelog?page=2"))
    assert "Version 1.1" in second and "Version 1.6" not in second


def test_roadmap_and_changelog_queries_are_bounded(
    app,
    client,
    cast,
    create_idea,
    create_product,
    create_release,
    set_status,
    link_idea,
    vote_for,
    create_user,
    count_queries,
):
    product = create_product([cast.space])
    release = create_release(product, "1.0")
    voters = [create_user(f"v{n}", segment="enterprise") for n in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            idea = create_idea(cast.space, cast.asker, title=f"Bulk {i}", tags="ui")
            status = ("planned", "in_progress", "shipped")[i % 3]
            link_idea(idea, cast.owner, product)
            set_status(idea, status, cast.owner)
            if status == "shipped":
                link_idea(idea, cast.owner, product, release)
            vote_for(idea, voters[i % 3]) if status != "shipped" else None

    def measure() -> int:
        with count_queries() as queries:
            client.get(f"/products/{product.slug}/roadmap")
            client.get(f"/products/{product.slug}/roadmap?segment=enterprise&tag=ui")
            client.get(f"/products/{product.slug}/changelog")
        return len(queries)

    add(5)
    few = measure()
    add(45)
    assert measure() == few


def test_private_owning_spaces_are_not_named_to_outsiders(client, cast, login, roadmap_setup):
    product, _release, _ideas = roadmap_setup
    for url in (
        "/products",
        f"/products/{product.slug}/roadmap",
        f"/products/{product.slug}/changelog",
    ):
        text = page_text(client.get(url))
        assert "Imaging Workflows" in text and "Secret Lab" not in text
    login(client, cast.member)
    assert "Secret Lab" in page_text(client.get(f"/products/{product.slug}/roadmap"))


def test_idea_lists_filter_by_product(client, cast, create_idea, create_product, link_idea):
    product = create_product([cast.space], name="Scan Suite")
    tied = create_idea(cast.space, cast.asker, title="Tied to the product")
    create_idea(cast.space, cast.asker, title="Not tied")
    link_idea(tied, cast.owner, product)
    for url in ("/ideas", f"/s/{cast.space.slug}/ideas"):
        text = page_text(client.get(f"{url}?product={product.id}"))
        assert "Tied to the product" in text and "Not tied" not in text
        assert "Scan Suite" in text
    assert "Not tied" in page_text(client.get("/ideas"))
    roadmap = client.get(f"/products/{product.slug}/roadmap").get_data(as_text=True)
    assert f"/ideas?product={product.id}" in roadmap


def test_admin_edits_a_product_and_its_owning_spaces(
    app, client, cast, login, site_admin, create_product, create_space
):
    product = create_product([cast.space], name="Old name")
    other = create_space("Second Space")
    login(client, site_admin)
    page = client.get(f"/admin/products/{product.slug}/edit").get_data(as_text=True)
    assert (
        'value="Old name"' in page
        and f'value="{cast.space.id}" id="space-{cast.space.id}" checked' in page
    )
    response = client.submit(
        f"/admin/products/{product.slug}/edit",
        {"name": "New name", "slug": "new-name", "description": "", "spaces": [other.id]},
    )
    assert response.status_code == 302 and response.location.endswith("/products/new-name/roadmap")
    with app.app_context():
        row = db.session.get(Product, product.id)
        assert row.name == "New name" and [s.id for s in row.spaces] == [other.id]


def test_product_pages_render_in_chinese(client, roadmap_setup):
    product, _release, _ideas = roadmap_setup
    zh = {"Accept-Language": "zh-CN"}
    for url in (
        "/products",
        f"/products/{product.slug}/roadmap?segment=enterprise",
        f"/products/{product.slug}/changelog",
    ):
        response = client.get(url, headers=zh)
        assert response.status_code == 200 and 'lang="zh' in response.get_data(as_text=True)


def test_idea_lists_load_the_list_columns_and_no_body(app, cast, roadmap_setup):
    """The ideas lists, the explorer, the roadmap and the changelog load one set of columns,
    ``IDEA_LIST_COLUMNS``, and never an idea's body."""
    product, _release, _ideas = roadmap_setup
    listed = {column.key for column in IDEA_LIST_COLUMNS}
    reads = {
        "space list": lambda user: (
            ideas_queries.ideas_page(user, space=db.session.get(Space, cast.space.id)).items
        ),
        "all spaces": lambda user: ideas_queries.ideas_page(user).items,
        "explorer": lambda user: explore(user, IdeaFilters(status="")).items,
        "export": lambda user: export_rows(user, IdeaFilters()),
        "roadmap": lambda user: [
            idea
            for column in product_queries.roadmap(user, product).columns.values()
            for idea in column
        ],
        "changelog": lambda user: [
            delivered.idea
            for ideas in product_queries.changelog(user, product)[1].values()
            for delivered in ideas
        ],
    }
    for name, read in reads.items():
        with app.test_request_context():
            ideas = read(db.session.get(User, cast.owner.id))
            assert ideas, name
            for idea in ideas:
                unloaded = inspect(idea).unloaded
                assert {"body_source", "body_html"} <= unloaded, name
                assert not listed & unloaded, (name, listed & unloaded)
