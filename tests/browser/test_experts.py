"""A member declares expertise, a space moderator verifies it, the Expert badge shows next to
their answer, and the expert directory finds them by tag."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.menus import open_account_menu
from tests.browser.test_forums import sign_out


def _ask(live_server, slug: str, asker) -> int:
    """A question in the space, asked by ``asker`` (who joins first)."""
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        user = db.session.get(User, asker.id)
        spaces.join_space(space, user)
        thread = forums.start_thread(
            space,
            author=user,
            kind="question",
            title="How often should we calibrate the CT detector?",
            body="Our image quality drifts after a few weeks.",
        )
        db.session.commit()
        return thread.id


def _more_experts(live_server, live_user, admin) -> None:
    """A few experts verified site-wide, so the directory has company."""
    from community.accounts.models import User
    from community.experts import operations as experts
    from community.extensions import db

    people = [
        ("Hana Sato", "integrations, api", "en", "Independent"),
        ("王芳", "家居设计, 定制家具", "zh_Hans", "上海明远家居"),
        ("Rafael Ortiz", "rendering, gpu", "en", "Studio Lumen Films"),
    ]
    for name, tags, locale, org in people:
        person = live_user(display_name=name, locale=locale, organisation=org)
        with live_server.app.test_request_context():
            user = db.session.get(User, person.id)
            for row in experts.set_expertise(user, tags, by=user):
                experts.verify_expertise(row, by=db.session.get(User, admin.id))
            db.session.commit()


def test_declare_verify_badge_and_directory(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    admin = live_user(role=Role.ADMIN, display_name="Ada Admin")
    member = live_user(display_name="Greta Holm", organisation="Fjordhus Interiors")
    slug = live_space(mod, name="Scanner Specialists", slug="imaging-experts-bt", tags="ct")
    thread_id = _ask(live_server, slug, live_user(display_name="Casey Morgan"))
    _more_experts(live_server, live_user, admin)
    page = browser.new_context(base_url=base_url).new_page()

    # The member joins, declares expertise and answers the question.
    sign_in(page, member.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Join space").click()
    open_account_menu(page)
    page.get_by_role("link", name="Settings").click()
    page.locator(".settings-nav").get_by_role("link", name="Expertise").click()
    page.get_by_label("Your expertise").fill("Calibration, DICOM")
    page.get_by_role("button", name="Save expertise").click()
    expect(page.get_by_text("Expertise saved.")).to_be_visible()
    expect(page.locator(".expertise-list")).to_contain_text("waiting for verification")
    page.goto(f"/t/{thread_id}")
    page.get_by_label("Your reply").fill("Every two weeks, with the phantom in the box.")
    page.get_by_role("button", name="Post answer").click()
    answer = page.locator("article.post", has_text="phantom in the box")
    expect(answer).to_be_visible()
    expect(answer.get_by_test_id("expert-badge")).to_have_count(0)
    sign_out(page)

    # The space's moderator verifies one tag from the member list.
    sign_in(page, mod.username)
    page.goto(f"/s/{slug}/members")
    page.get_by_role("button", name="Verify #calibration for Greta Holm").click()
    expect(page.get_by_text("#calibration is verified for Greta Holm.")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke #calibration for Greta Holm")).to_be_visible()
    sign_out(page)

    # Everyone sees the badge next to the answer, with the verified tag only.
    page.goto(f"/t/{thread_id}")
    badge = page.locator("article.post", has_text="phantom in the box").get_by_test_id(
        "expert-badge"
    )
    expect(badge).to_contain_text("Expert")
    expect(badge).to_contain_text("#calibration")
    expect(badge).not_to_contain_text("#dicom")
    page.screenshot(path="test-results/experts-answer-badge.png", full_page=True)

    # The directory, from the main navigation, finds her by tag.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts").click()
    # (Other browser tests share this site and may have experts of their own on it.)
    for name in ("Greta Holm", "Hana Sato", "王芳", "Rafael Ortiz"):
        expect(page.locator(".expert-card", has_text=name).first).to_be_visible()
    page.get_by_label("Expertise").select_option("calibration")
    page.get_by_role("button", name="Filter").click()
    cards = page.locator(".expert-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Greta Holm")
    expect(cards.first).to_contain_text("1 answer")
    expect(cards.first).to_contain_text("Scanner Specialists")
    page.goto("/experts")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="test-results/experts-directory.png", full_page=True)

    # Her profile's expertise section shows the numbers and the space she serves.
    page.goto(f"/u/{member.username}")
    section = page.locator("#expertise")
    expect(section).to_contain_text("verified in Scanner Specialists")
    expect(section.locator("[data-stat=answers]")).to_have_text("1")
    expect(section).to_contain_text("Median time to first answer")
    page.screenshot(path="test-results/experts-profile.png", full_page=True)
