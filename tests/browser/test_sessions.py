"""Signed-in devices, clicked through in Chromium: the list of where one is signed in, signing
out everywhere else (the other device's open page learns it at once), and signing out in one
tab while a brainstorming board is open in another."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.menus import open_account_menu

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def open_devices(page) -> None:
    open_account_menu(page)
    page.get_by_role("link", name="Settings").click()
    page.locator(".settings-nav").get_by_role("link", name="Devices").click()


def test_devices_list_and_signing_out_everywhere_else(browser, base_url, live_user, sign_in):
    user = live_user(display_name="Dana Devices")
    laptop_context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 860}, user_agent=FIREFOX
    )
    phone_context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, user_agent=IPHONE
    )
    laptop, phone = laptop_context.new_page(), phone_context.new_page()
    sign_in(laptop, user.username)
    sign_in(phone, user.username)
    expect(phone.locator("body")).to_have_attribute("data-live", "connected")

    open_devices(laptop)
    expect(laptop.get_by_role("heading", name="Signed-in devices")).to_be_visible()
    sessions = laptop.get_by_test_id("session")
    expect(sessions).to_have_count(2)
    here = sessions.filter(has=laptop.get_by_test_id("this-device"))
    expect(here).to_contain_text("Firefox on Windows")
    expect(here).to_contain_text("Active now")
    expect(here.get_by_role("button")).to_have_count(0)  # this one is signed out from the menu
    expect(sessions.filter(has_text="Safari on iOS").get_by_role("button")).to_be_visible()
    laptop.screenshot(path="test-results/devices-desktop-en.png", full_page=True)

    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name="Sign out everywhere else").click()
    expect(laptop.get_by_role("alert").first).to_contain_text("Signed out of 1 other session.")
    expect(laptop.get_by_test_id("only-here")).to_be_visible()
    expect(laptop.get_by_test_id("session")).to_have_count(1)

    # The phone's open page is told at once, and is signed out when it moves on.
    expect(phone.locator("#live-banner")).to_contain_text(
        "This browser was signed out from your list of signed-in devices."
    )
    phone.reload()
    expect(phone.get_by_role("link", name="Sign in", exact=True).first).to_be_visible()

    # The same page on a phone and in Chinese.
    sign_in(phone, user.username)
    phone.goto("/settings/sessions")
    expect(phone.get_by_test_id("session")).to_have_count(2)
    phone.screenshot(path="test-results/devices-phone-en.png", full_page=True)
    phone.get_by_label("Language").select_option("zh_Hans")
    expect(phone.get_by_role("heading", name="已登录的设备")).to_be_visible()
    expect(phone.get_by_test_id("this-device")).to_have_text("本设备")
    phone.screenshot(path="test-results/devices-phone-zh.png", full_page=True)
    laptop.goto("/settings/sessions")
    expect(laptop.get_by_role("heading", name="已登录的设备")).to_be_visible()
    expect(laptop.locator(".fw-semibold", has_text="iOS 上的 Safari")).to_be_visible()
    laptop.screenshot(path="test-results/devices-desktop-zh.png", full_page=True)
    laptop_context.close()
    phone_context.close()


def _board_in_ideation(app, host, member) -> int:
    """A space hosted by ``host`` that ``member`` joined, with a session in ideation."""
    from community.accounts.models import User
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import Phase
    from community.extensions import db
    from community.spaces import operations as spaces

    with app.test_request_context():
        by = db.session.get(User, host.id)
        space = spaces.create_space(
            name="Field research",
            slug="field-research",
            description="",
            visibility="public",
            tags="",
            by=by,
        )
        spaces.join_space(space, db.session.get(User, member.id))
        session = brainstorms.create_session(
            space, by=by, prompt="What slows down a site visit?", hidden_ideation=False
        )
        while session.current_phase != Phase.IDEATE:
            brainstorms.advance_phase(session, by=by)
        db.session.commit()
        return session.id


def test_signing_out_in_one_tab_ends_the_board_in_another(
    browser, base_url, live_server, live_user, sign_in
):
    host = live_user(role=Role.MODERATOR, display_name="Hana Host")
    member = live_user(display_name="Milo Member")
    session_id = _board_in_ideation(live_server.app, host, member)
    for width, locale in ((1280, "en"), (390, "zh_Hans")):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 860})
        board = context.new_page()
        sign_in(board, member.username)
        if locale != "en":
            board.get_by_label("Language").select_option(locale)
            expect(board.locator("html")).to_have_attribute("lang", "zh-Hans")
        board.goto(f"/sessions/{session_id}")
        note = board.locator("[data-composer] textarea")
        note.fill(f"Parking at the site ({width})")
        board.locator("[data-composer] button[type=submit]").click()
        expect(
            board.locator(".sticky-note", has_text=f"Parking at the site ({width})")
        ).to_be_visible()

        other_tab = context.new_page()
        other_tab.goto("/")
        open_account_menu(other_tab)  # on a phone, behind the navigation toggle
        other_tab.locator("form[action='/logout'] button").click()
        expect(other_tab.get_by_test_id("account-menu")).to_have_count(0)

        # The board says so and takes no more notes.
        status = board.locator("#board [data-status]")
        expect(status).to_be_visible()
        expect(note).to_be_disabled()
        expect(board.locator("[data-composer] button[type=submit]")).to_be_disabled()
        expect(board.locator("#live-banner")).to_be_visible()
        if locale == "en":
            expect(status).to_have_text(
                "You are signed out, so you can no longer take part here. Sign in again to rejoin."
            )
            expect(board.locator("#live-banner")).to_contain_text("You signed out in another tab.")
        else:
            expect(status).to_contain_text("你已退出登录")
            expect(board.locator("#live-banner")).to_contain_text("你已在另一个标签页中退出登录。")
        board.screenshot(path=f"test-results/board-signed-out-{width}-{locale}.png", full_page=True)
        context.close()
