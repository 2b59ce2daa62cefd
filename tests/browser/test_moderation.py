"""Moderation in a browser: three members flag a reply, which is hidden; a moderator approves
it from the queue with a reason; the admin's audit log shows both. And an admin warns and then
suspends a member, who sees the warning and can no longer sign in."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_forums import sign_out


def _setup_thread(live_server, owner, author, members, slug: str) -> tuple[int, int]:
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in [author, *members]:
            spaces.join_space(space, db.session.get(User, person.id))
        thread = forums.start_thread(
            space,
            author=db.session.get(User, owner.id),
            kind="question",
            title="Which probe for pediatric scans?",
            body="We are choosing probes for the children's ward.",
        )
        reply = forums.reply_to_thread(
            thread,
            author=db.session.get(User, author.id),
            body="Buy cheap probes at my shop, best prices in town!",
        )
        db.session.commit()
        return thread.id, reply.id


def test_flagged_post_hidden_then_restored_with_audit(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    admin = live_user(role=Role.ADMIN, display_name="Ada Auditor")
    owner = live_user(role=Role.MODERATOR, display_name="Mona Moderator")
    author = live_user(display_name="Sam Seller")
    flaggers = [live_user(display_name=f"Flagger {n}") for n in range(3)]
    slug = live_space(owner, name="Ultrasound Moderation BT", slug="ultrasound-mod-bt")
    thread_id, reply_id = _setup_thread(live_server, owner, author, flaggers, slug)

    for flagger in flaggers:
        context = browser.new_context(base_url=base_url)
        page = context.new_page()
        sign_in(page, flagger.username)
        page.goto(f"/t/{thread_id}")
        page.get_by_test_id(f"flag-{reply_id}").click()
        page.get_by_label("Spam").check()
        page.get_by_label("Anything the moderators should know?").fill("Advert for a shop")
        page.get_by_role("button", name="Flag", exact=True).click()
        expect(page.get_by_text("Thanks. The moderators will take a look.")).to_be_visible()
        context.close()

    reader = browser.new_context(base_url=base_url).new_page()
    reader.goto(f"/t/{thread_id}")
    expect(reader.get_by_text("This post is hidden pending review.")).to_be_visible()
    expect(reader.get_by_text("Buy cheap probes")).to_have_count(0)

    mod = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(mod, owner.username)
    mod.goto(f"/s/{slug}")
    mod.locator(".space-tabs").get_by_role("link", name="Moderation").click()
    queue = mod.get_by_test_id(f"case-post-{reply_id}")
    expect(queue).to_contain_text("3 flags")
    expect(queue).to_contain_text("Spam × 3")
    mod.screenshot(path="test-results/moderation-queue.png", full_page=True)
    queue.click()
    expect(mod.get_by_test_id("case-hidden")).to_be_visible()
    for flagger in flaggers:
        expect(mod.get_by_text(flagger.display_name)).to_have_count(0)
    mod.screenshot(path="test-results/moderation-case.png", full_page=True)
    approve = mod.get_by_test_id("approve-form")
    approve.get_by_role("button", name="Approve").click()  # no reason: refused by the browser
    expect(mod.get_by_test_id("case-hidden")).to_be_visible()
    approve.get_by_label("Reason").fill("A shop link, but a genuine recommendation")
    approve.get_by_role("button", name="Approve").click()
    expect(mod.get_by_text("Approved: the flags are dismissed.")).to_be_visible()
    expect(mod.get_by_text("Nothing waiting.")).to_be_visible()

    reader.reload()
    expect(reader.get_by_text("Buy cheap probes at my shop")).to_be_visible()

    audit = browser.new_context(
        base_url=base_url, viewport={"width": 1400, "height": 900}
    ).new_page()
    sign_in(audit, admin.username)
    audit.get_by_test_id("nav-moderation").click()
    audit.get_by_role("link", name="Audit log").click()
    audit.get_by_label("Space (address)").fill(slug)
    audit.get_by_role("button", name="Filter").click()
    log = audit.get_by_test_id("audit-log")
    expect(log.get_by_test_id("audit-hide")).to_contain_text("Hidden automatically after 3 flags.")
    expect(log.get_by_test_id("audit-approve")).to_contain_text("genuine recommendation")
    expect(log.get_by_test_id("audit-approve")).to_contain_text("Mona Moderator")
    audit.screenshot(path="test-results/moderation-audit.png", full_page=True)


def test_admin_warns_then_suspends_a_member(browser, base_url, live_user, sign_in):
    admin = live_user(role=Role.ADMIN, display_name="Ada Suspender")
    member = live_user(display_name="Rex Rulebreaker")

    offender = browser.new_context(base_url=base_url).new_page()
    sign_in(offender, member.username)

    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()
    sign_in(page, admin.username)
    page.goto(f"/u/{member.username}")
    page.get_by_test_id("moderate-person").click()
    warn = page.get_by_test_id("person-warn-form")
    warn.get_by_label("Reason").fill("Please keep discussions civil.")
    warn.get_by_role("button", name="Send warning").click()
    expect(page.get_by_text("Warning sent to Rex Rulebreaker.")).to_be_visible()

    offender.goto("/")
    offender.get_by_test_id("warnings-link").click()
    expect(offender.get_by_text("Please keep discussions civil.")).to_be_visible()
    offender.screenshot(path="test-results/moderation-warnings.png", full_page=True)
    offender.get_by_role("button", name="I have read this").click()
    expect(offender.get_by_test_id("warnings-link")).to_have_count(0)

    suspend = page.get_by_test_id("suspend-form")
    suspend.get_by_label("Days").fill("3")
    suspend.get_by_label("Reason").fill("Harassment after a warning")
    suspend.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Rex Rulebreaker is suspended.")).to_be_visible()
    expect(page.get_by_test_id("suspended-badge")).to_be_visible()
    page.screenshot(path="test-results/moderation-person.png", full_page=True)

    offender.goto("/spaces")
    expect(offender.get_by_test_id("account-menu")).to_have_count(0)
    offender.goto("/login")
    offender.get_by_label("Username or e-mail").fill(member.username)
    offender.get_by_label("Password").fill("correct horse battery")
    offender.get_by_role("button", name="Sign in").click()
    expect(offender.get_by_text("Your account is suspended until")).to_be_visible()
    sign_out(page)
