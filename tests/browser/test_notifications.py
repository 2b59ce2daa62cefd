"""Notifications in a real browser: a mention shows up live in another person's open page,
the centre takes them to the exact post; e-mail preferences and following a thread."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.menus import open_account_menu


def _thread(live_server, owner_id: int, member_ids: list[int], slug: str, title: str) -> int:
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for user_id in member_ids:
            spaces.join_space(space, db.session.get(User, user_id))
        thread = forums.start_thread(
            space,
            author=db.session.get(User, owner_id),
            kind="discussion",
            title=title,
            body="Where should the kit live?",
        )
        db.session.commit()
        return thread.id


def test_a_mention_arrives_live_and_leads_to_the_post(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.permissions import Role

    owner = live_user(role=Role.MODERATOR, display_name="Nina Owner")
    anna = live_user(display_name="Anna Author")
    ben = live_user(display_name="Ben Reader")
    slug = live_space(owner, name="Notify Browsers", slug="notify-bt")
    thread_id = _thread(live_server, owner.id, [anna.id, ben.id], slug, "Storage for field kits")

    ben_page = browser.new_context(base_url=base_url).new_page()
    sign_in(ben_page, ben.username)
    ben_page.goto("/spaces")
    expect(ben_page.locator("body")).to_have_attribute("data-live", "connected")
    badge = ben_page.locator("[data-notification-count]").first
    expect(badge).to_be_hidden()

    anna_page = browser.new_context(base_url=base_url).new_page()
    sign_in(anna_page, anna.username)
    anna_page.goto(f"/t/{thread_id}")
    anna_page.locator("textarea[name=body]").fill(f"@{ben.username} can you check the shelf?")
    anna_page.get_by_role("button", name="Post reply").click()
    expect(anna_page.locator(".post").last).to_contain_text("can you check the shelf?")

    # Ben's page, untouched, shows the count and a toast.
    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()
    expect(ben_page.get_by_role("status")).to_contain_text(
        "Anna Author mentioned you in “Storage for field kits”"
    )

    ben_page.get_by_test_id("notification-bell").click()
    item = ben_page.get_by_test_id("notification").first
    expect(item).to_have_class(re.compile("unread"))
    item.get_by_role("button", name=re.compile("mentioned you")).click()
    expect(ben_page).to_have_url(re.compile(rf"/t/{thread_id}#post-\d+$"))
    post_id = ben_page.url.rsplit("#", 1)[1]
    expect(ben_page.locator(f"#{post_id}")).to_contain_text("can you check the shelf?")
    expect(badge).to_be_hidden()


def test_choosing_an_email_preference_and_muting_a_thread(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.permissions import Role

    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    cara = live_user(display_name="Cara Customer")
    slug = live_space(owner, name="Prefs Browsers", slug="prefs-bt")
    thread_id = _thread(live_server, owner.id, [cara.id], slug, "Battery life in the cold")
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, cara.username)

    open_account_menu(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Notifications"
    ).click()
    page.get_by_label("Replies in threads I follow").select_option("immediately")
    page.get_by_label("Follow the ideas I vote for").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert").first).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("Replies in threads I follow")).to_have_value("immediately")
    expect(page.get_by_label("Follow the ideas I vote for")).not_to_be_checked()

    page.goto(f"/t/{thread_id}")
    control = page.get_by_test_id("follow-control")
    control.get_by_role("button", name="Follow", exact=True).click()
    control.get_by_role("button", name=re.compile("^Watching")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Notifications: Watching.")
    toggle = control.get_by_role("button", name="Watching", exact=True)
    expect(toggle).to_be_visible()
    toggle.click()
    control.get_by_role("button", name=re.compile("^Muted")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Notifications: Muted.")
    expect(control.get_by_role("button", name="Muted", exact=True)).to_be_visible()

    page.goto("/settings/following")
    row = (
        page.get_by_test_id("following-list")
        .get_by_role("listitem")
        .filter(has_text="Battery life in the cold")
    )
    expect(row.get_by_label("Level")).to_have_value("muted")
    row.get_by_label("Level").select_option("normal")
    expect(page.get_by_role("alert").first).to_contain_text("Notifications: Normal.")
    row.get_by_role("button", name="Unfollow").click()
    expect(page.get_by_role("alert").first).to_contain_text("You no longer follow this.")
    expect(page.get_by_text("Battery life in the cold")).to_have_count(0)
