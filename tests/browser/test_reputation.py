"""Help that worked is counted: a customer marks an answer helpful and accepts it; the expert
who wrote it sees the points and the badge on their profile, and leads the space's
leaderboard and the site's, for all time and for this month."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role


def test_points_badges_and_leaderboards(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    expert = live_user(display_name="Rina Resolver")
    customer = live_user(display_name="Carl Asker")
    helper = live_user(display_name="Hana Helper")
    slug = live_space(mod, name="Reputation Lab", slug="reputation-lab")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in (expert, customer, helper):
            spaces.join_space(space, db.session.get(type(person), person.id))
        question = forums.start_thread(
            space,
            author=db.session.get(type(customer), customer.id),
            kind="question",
            title="Detector drifts after the update",
            body="The phantom scan drifts by 2%.",
            tags="",
        )
        forums.reply_to_thread(
            question, author=db.session.get(type(expert), expert.id), body="Recalibrate it."
        )
        forums.reply_to_thread(
            question, author=db.session.get(type(helper), helper.id), body="Same here."
        )
        db.session.commit()
        question_url = f"/t/{question.id}"

    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, customer.username)
    page.goto(question_url)
    answer = page.locator(".post", has_text="Recalibrate it.")
    answer.get_by_role("button", name="Helpful").click()
    answer = page.locator(".post", has_text="Recalibrate it.")
    expect(answer.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    page.locator(".post", has_text="Recalibrate it.").get_by_role(
        "button", name="Accept answer"
    ).click()
    expect(page.get_by_role("alert").first).to_contain_text("Answer accepted")

    # The expert's profile: 15 for the accepted answer, 5 for the helpful mark, a badge.
    page.goto(f"/u/{expert.username}")
    card = page.locator(".reputation-card")
    expect(card.locator("[data-reputation-points]")).to_have_text("20")
    expect(card).to_contain_text("First accepted answer")
    expect(card).to_contain_text("Accepted answers (1)")
    expect(card).to_contain_text("Helpful marks (1)")

    # The space's leaderboard tab, then the site's, this month's too.
    page.goto(f"/s/{slug}")
    page.locator(".space-tabs").get_by_role("link", name="Leaderboard").click()
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rina Resolver")
    expect(rows.first).to_contain_text("20")
    expect(rows.first.get_by_title("First accepted answer")).to_be_visible()
    page.screenshot(path="test-results/leaderboard-space.png", full_page=True)
    page.get_by_role("link", name="Experts", exact=True).click()
    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    # (Other tests share this site, so other people may be on it too.)
    mine = page.locator("table.leaderboard tbody tr", has_text="Rina Resolver")
    expect(mine).to_contain_text("20")
    page.locator(".leaderboard-periods .nav-link").nth(1).click()  # this month
    expect(page.locator(".leaderboard-periods .nav-link.active")).not_to_have_text("All time")
    expect(mine).to_contain_text("20")
    page.context.close()
