"""A customer asks with "Ask an expert"; the matching expert finds the question in "Questions
for you", claims it and answers it; the asker accepts the answer."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_forums import sign_out


def _verified_member(live_server, slug: str, person, tags: str, admin) -> None:
    """``person`` joins the space and has ``tags`` verified site-wide by ``admin``."""
    from community.accounts.models import User
    from community.experts import operations as experts
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        user = db.session.get(User, person.id)
        spaces.join_space(db.session.scalar(db.select(Space).where(Space.slug == slug)), user)
        for row in experts.set_expertise(user, tags, by=user):
            experts.verify_expertise(row, by=db.session.get(User, admin.id))
        db.session.commit()


def test_ask_an_expert_claim_answer_accept(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    admin = live_user(role=Role.ADMIN, display_name="Ada Admin")
    slug = live_space(mod, name="Detector Care", slug="detector-care-bt", tags="ct")
    expert = live_user(display_name="Erik Lindqvist", organisation="Cocreate Inc.")
    _verified_member(live_server, slug, expert, "detector-qa, dicom", admin)
    other = live_user(display_name="Hana Sato")
    _verified_member(live_server, slug, other, "rendering", admin)
    customer = live_user(display_name="Casey Morgan", organisation="Northwind Imaging")
    page = browser.new_context(base_url=base_url).new_page()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The customer joins and asks, ticking "Ask an expert".
    sign_in(page, customer.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Join space").click()
    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Title").fill("How often should we calibrate the CT detector?")
    page.get_by_label("Details").fill("Image quality drifts after a few weeks.")
    page.get_by_label("Tags").fill("detector-qa")  # nobody else on the live server has it
    page.get_by_label("Ask an expert").check()
    page.screenshot(path="test-results/routing-ask-an-expert.png", full_page=True)
    page.get_by_role("button", name="Post", exact=True).click()
    status = page.get_by_test_id("routing-status")
    expect(status).to_contain_text("Sent to 1 expert")
    expect(status).to_contain_text("Not claimed yet.")
    question_url = page.url
    sign_out(page)

    # The expert whose verified tag matches sees it in "Questions for you" and claims it.
    sign_in(page, expert.username)
    link = page.get_by_test_id("questions-for-you")
    expect(link).to_contain_text("1")
    link.click()
    row = page.locator(".routed-question", has_text="How often should we calibrate")
    expect(row).to_contain_text("Waiting for an expert")
    expect(row).to_contain_text("Asked for an expert")
    page.screenshot(path="test-results/routing-questions-for-you.png", full_page=True)
    row.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("alert").first).to_contain_text("You claimed this question.")
    expect(row).to_contain_text("Claimed by you")

    # ... and answers it from the question's page.
    row.get_by_role("link", name="How often should we calibrate the CT detector?").click()
    expect(page.get_by_test_id("claimed-by")).to_contain_text("Claimed by Erik Lindqvist")
    page.get_by_label("Your reply").fill("Every two weeks, with the water phantom.")
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_test_id("routing-status")).to_contain_text(
        "First expert answer by Erik Lindqvist"
    )
    sign_out(page)

    # The other expert was not asked: no "Questions for you" for them.
    sign_in(page, other.username)
    expect(page.get_by_test_id("questions-for-you")).to_have_count(0)
    sign_out(page)

    # The asker accepts the answer.
    sign_in(page, customer.username)
    page.goto(question_url)
    page.get_by_role("button", name="Accept answer").click()
    expect(page.get_by_role("alert").first).to_contain_text("Answer accepted")
    expect(page.locator(".post-accepted").first).to_contain_text("water phantom")
    expect(page.get_by_test_id("claimed-by")).to_contain_text("Erik Lindqvist")
    page.screenshot(path="test-results/routing-question-answered.png", full_page=True)

    # The expert's help is counted: reputation and the profile's numbers.
    page.goto(f"/u/{expert.username}")
    expect(page.locator(".reputation-card [data-reputation-points]")).to_have_text("15")
    expect(page.locator(".reputation-card")).to_contain_text("First accepted answer")
    expertise = page.locator("#expertise")
    expect(expertise.locator("[data-stat=answers]")).to_have_text("1")
    expect(expertise.locator("[data-stat=accepted]")).to_have_text("1")
