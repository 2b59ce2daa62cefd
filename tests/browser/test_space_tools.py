"""Owners and moderators run their spaces in the browser: creating, inviting, banning,
editing with history, quoting, helpful marks, pinning, moving, deleting and restoring."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from community.permissions import Role
from tests.browser.test_forums import sign_out


def new_page(browser, base_url) -> Page:
    return browser.new_context(base_url=base_url).new_page()


def test_admin_opens_space_creation_to_members(browser, base_url, live_user, sign_in):
    admin = live_user(role=Role.ADMIN)
    member = live_user(display_name="Maker Member")
    page = new_page(browser, base_url)
    sign_in(page, member.username)
    page.goto("/spaces")
    expect(page.get_by_role("link", name="New space")).to_have_count(0)
    sign_out(page)
    sign_in(page, admin.username)
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Site settings").click()
    page.get_by_label("Who may create spaces").select_option("member")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert").first).to_contain_text("Settings saved.")
    sign_out(page)
    sign_in(page, member.username)
    page.goto("/spaces")
    page.get_by_role("link", name="New space").click()
    page.get_by_label("Name").fill("Makers Corner")
    page.get_by_label("Address").fill("makers-bt")
    page.get_by_label("Topic tags").fill("3d-printing, diy")
    page.get_by_role("button", name="Create space").click()
    expect(page.get_by_role("heading", name="Makers Corner")).to_be_visible()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    page.context.close()


def test_private_space_invite_ban_and_thread_tools(
    browser, base_url, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR, display_name="Owner Olga")
    slug = live_space(owner, name="Advisory Circle", slug="circle-bt", visibility="private")
    other = live_space(owner, name="Public Lounge", slug="lounge-bt")
    guest = live_user(display_name="Guest Gita")
    troll = live_user(display_name="Troll Tom")
    owner_page = new_page(browser, base_url)
    sign_in(owner_page, owner.username)

    # The owner makes an invite link; two people join through it.
    owner_page.goto(f"/s/{slug}/members")
    owner_page.get_by_role("button", name="Create invite link").click()
    link = owner_page.get_by_role("textbox", name="Invite link").input_value()
    assert "/invite/" in link
    for person in (guest, troll):
        page = new_page(browser, base_url)
        sign_in(page, person.username)
        page.goto(f"/s/{slug}")
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        page.goto(link)
        page.get_by_role("button", name="Join space").click()
        expect(page.get_by_role("heading", name="Advisory Circle")).to_be_visible()
        page.context.close()

    # The owner bans one of them, who can no longer see the space.
    owner_page.goto(f"/s/{slug}/members")
    row = owner_page.locator("li", has_text="Troll Tom")
    row.locator("summary", has_text="Ban").click()
    row.get_by_label("Reason").fill("Posting spam links")
    row.get_by_role("button", name="Ban Troll Tom").click()
    expect(owner_page.get_by_role("alert").first).to_contain_text("Troll Tom is banned")
    troll_page = new_page(browser, base_url)
    sign_in(troll_page, troll.username)
    troll_page.goto(f"/s/{slug}")
    expect(troll_page.get_by_role("heading", name="Page not found")).to_be_visible()
    troll_page.context.close()

    # The guest starts a discussion, then edits it; the owner sees the history.
    guest_page = new_page(browser, base_url)
    sign_in(guest_page, guest.username)
    guest_page.goto(f"/s/{slug}")
    guest_page.get_by_role("link", name="Start a discussion").first.click()
    guest_page.get_by_label("Title").fill("Roadmap wishes for next year")
    guest_page.get_by_label("Details").fill("First draft of our wishes.")
    guest_page.get_by_role("button", name="Post", exact=True).click()
    thread_url = guest_page.url
    guest_page.get_by_role("link", name="Edit").first.click()
    guest_page.get_by_label("Text").fill(
        "Our **top three** wishes:\n\n1. SSO\n2. Audit log\n3. API"
    )
    guest_page.get_by_role("button", name="Save").click()
    expect(guest_page.locator(".post-body strong").first).to_have_text("top three")

    owner_page.goto(thread_url)
    owner_page.get_by_role("link", name="edited").first.click()
    expect(owner_page.get_by_text("First draft of our wishes.")).to_be_visible()

    # The owner quotes it in a reply; the guest marks the reply helpful.
    owner_page.goto(thread_url)
    owner_page.get_by_role("link", name="Quote").first.click()
    expect(owner_page.get_by_role("textbox", name="Your reply")).to_have_value(
        re.compile(r"> Our \*\*top three\*\*")
    )
    owner_page.get_by_role("textbox", name="Your reply").press("End")
    owner_page.get_by_role("textbox", name="Your reply").type("\nSSO is planned for spring.")
    owner_page.get_by_role("button", name="Post reply").click()
    expect(owner_page.locator(".post-body blockquote").first).to_contain_text("top three")
    guest_page.goto(thread_url)
    guest_page.get_by_role("button", name=re.compile("Helpful")).click()
    expect(guest_page.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute(
        "aria-pressed", "true"
    )

    # The owner pins it, moves it to the public lounge, deletes it and restores it.
    owner_page.goto(thread_url)
    owner_page.get_by_role("button", name="Pin").click()
    expect(owner_page.get_by_role("alert").first).to_contain_text("Thread pinned.")
    owner_page.get_by_role("link", name="Move").click()
    owner_page.get_by_label("Move to").select_option(other)
    owner_page.get_by_label("Why are you moving it?").fill("It is for everyone")
    owner_page.get_by_role("button", name="Move").click()
    expect(owner_page.get_by_role("alert").first).to_contain_text("Moved to Public Lounge.")
    owner_page.once("dialog", lambda dialog: dialog.accept())
    owner_page.locator("article.post").first.get_by_role("button", name="Delete").click()
    expect(owner_page.get_by_role("alert").first).to_contain_text("Thread deleted.")
    owner_page.goto(thread_url)
    owner_page.locator("article.post").first.get_by_role("button", name="Restore").click()
    expect(owner_page.get_by_role("alert").first).to_contain_text("Restored.")
    owner_page.context.close()
    guest_page.context.close()


def test_directory_filter_typed_before_its_script_ran(browser, base_url, live_user, live_space):
    """On a slow page load people type before the live filter is wired up: their words still
    filter the list once the script runs, without pressing Enter."""
    owner = live_user(role=Role.MODERATOR)
    live_space(owner, name="Spectroscopy Bench", slug="spectro-bt", tags="optics")
    page = new_page(browser, base_url)
    page.route("**/js/spaces.js", lambda route: route.abort())
    page.goto("/spaces")
    page.get_by_placeholder("Filter by name, topic or tag").fill("spectroscopy")
    page.unroute("**/js/spaces.js")
    page.add_script_tag(url="/static/js/spaces.js")
    results = page.locator("#directory-results")
    expect(results).to_have_attribute("data-loaded", "q=spectroscopy")
    expect(results.get_by_role("link", name="Spectroscopy Bench")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/spaces\?q=spectroscopy$"))
