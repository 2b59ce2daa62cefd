"""An admin creates a product and a release; a moderator sets an idea's product, ships it and
links it to the release; the roadmap shows it under recently shipped and the changelog lists
it with its proposer and supporter credited; the supporter is told it shipped."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_forums import sign_out


def test_idea_followed_to_its_release(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.accounts.models import User
    from community.extensions import db
    from community.ideas import operations as ideas
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    admin = live_user(role=Role.ADMIN, display_name="Ada Admin")
    mod = live_user(role=Role.MODERATOR, display_name="Mo Moderator")
    proposer = live_user(display_name="Petra Proposer", organisation="Northwind Labs")
    voter = live_user(display_name="Vic Voter", segment="enterprise")
    slug = live_space(mod, name="Roadmap Browsers", slug="roadmap-bt")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        author, supporter = db.session.get(User, proposer.id), db.session.get(User, voter.id)
        spaces.join_space(space, author)
        spaces.join_space(space, supporter)
        idea = ideas.submit_idea(
            space, author=author, title="Offline mode for field kits", body="No signal on site."
        )
        ideas.cast_vote(idea, supporter)
        db.session.commit()
        idea_id = idea.id
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()

    # The admin adds the product from the admin area, then a release from its page.
    sign_in(page, admin.username)
    page.get_by_role("link", name="Admin").click()
    page.locator(".nav-underline").get_by_role("link", name="Products").click()
    page.get_by_role("link", name="New product").click()
    page.get_by_label("Name").fill("Field Kit BT")
    page.get_by_label("Address").fill("field-kit-bt")
    page.get_by_label("Description").fill("Rugged kits for work away from the office.")
    page.get_by_label("Roadmap Browsers").check()
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("heading", name="Field Kit BT")).to_be_visible()
    page.get_by_role("link", name="New release").click()
    page.get_by_label("Version").fill("v2")
    page.get_by_label("Release date").fill("2026-11-20")
    page.get_by_role("button", name="Save release").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("two to four numbers")
    page.get_by_label("Version").fill("2.0")
    page.get_by_label("Release notes").fill("Works **offline** now.")
    page.get_by_role("button", name="Save release").click()
    expect(page.get_by_role("heading", name="Version 2.0")).to_be_visible()
    sign_out(page)

    # The space's moderator sets the product, ships the idea, then links it to the release.
    sign_in(page, mod.username)
    page.goto(f"/ideas/{idea_id}")
    page.locator("summary", has_text="Product").click()
    page.locator("#product").select_option(label="Field Kit BT")
    page.get_by_role("button", name="Set product").click()
    expect(page.locator("#timeline")).to_contain_text("Set to product Field Kit BT")
    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("shipped")
    page.get_by_label("Public response").fill("Shipped in the spring kit.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_role("alert").first).to_contain_text("Status changed to Shipped.")
    expect(page.locator("#timeline")).not_to_contain_text("Linked to release")
    page.locator("summary", has_text="Release").click()
    page.locator("#release").select_option(label="2.0")
    page.get_by_role("button", name="Save release").click()
    expect(page.locator("#timeline")).to_contain_text("Linked to release 2.0")
    expect(page.get_by_test_id("idea-release")).to_contain_text("Delivered in version 2.0")
    page.screenshot(path="test-results/products-idea.png", full_page=True)
    sign_out(page)

    # Anyone: the roadmap shows it under recently shipped, the changelog credits customers.
    page.goto("/products")
    page.get_by_role("link", name="Field Kit BT").first.click()
    shipped = page.locator('[data-column="shipped"]')
    expect(shipped).to_contain_text("Offline mode for field kits")
    expect(shipped).to_contain_text("2.0")
    expect(page.get_by_test_id("progress-text")).to_contain_text("1 of 1 idea shipped")
    page.screenshot(path="test-results/products-roadmap.png", full_page=True)
    page.get_by_role("link", name="Changelog").click()
    release = page.locator(".release").first
    expect(release).to_contain_text("Offline mode for field kits")
    expect(release.locator(".credit-proposer")).to_contain_text("Petra Proposer")
    expect(release.locator(".credit-supporters")).to_contain_text("Vic Voter")
    page.screenshot(path="test-results/products-changelog.png", full_page=True)

    # The voter is told it shipped, and follows the notification to the idea and its release.
    sign_in(page, voter.username)
    page.get_by_test_id("notification-bell").click()
    told = page.get_by_test_id("notification").filter(
        has_text="“Offline mode for field kits” shipped in Field Kit BT 2.0"
    )
    expect(told).to_have_count(1)
    told.get_by_role("button").first.click()
    expect(page.get_by_test_id("idea-release")).to_contain_text("Delivered in version 2.0")
    page.context.close()
