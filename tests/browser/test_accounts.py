"""What a person does with their account, clicked through in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from community.permissions import Role
from tests.browser.menus import open_account_menu
from tests.fixtures.accounts import PASSWORD


def fill_registration(page: Page, username: str, email: str, name: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()


def mailed_link(live_server, address: str, path: str) -> str:
    """The link to ``path`` in the newest e-mail to ``address``."""
    from community.extensions import mailer

    with live_server.app.app_context():
        message = next(m for m in reversed(mailer.outbox) if m.to == address)
    return re.search(rf"https?://\S+{path}\S+", message.text).group(0)


def sign_up_and_confirm(page: Page, live_server, username: str, email: str, name: str) -> None:
    """Sign up through the form, then follow the e-mailed link and create the account."""
    fill_registration(page, username, email, name, "a garden of ideas")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your e-mail to finish signing up"
    )
    page.goto(mailed_link(live_server, email, "/register/confirm/"))
    page.get_by_role("button", name="Create my account").click()


def test_register_edit_profile_switch_to_chinese_log_out_and_in(page: Page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Join", exact=True).click()
    sign_up_and_confirm(page, live_server, "meili", "meili@example.com", "Mei Li")

    expect(page.get_by_role("alert").first).to_contain_text("Welcome to Cocreate, Mei Li!")
    page.get_by_label("About you").fill("I run the furniture showroom in Hangzhou.")
    page.get_by_label("Organisation").fill("Mingyuan Home")
    page.get_by_label("Customer segment").select_option("mid_market")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(r"/u/meili$"))
    expect(page.get_by_role("heading", name="Mei Li", exact=True)).to_be_visible()
    expect(page.get_by_text("Mingyuan Home")).to_be_visible()
    expect(page.get_by_text("Mid-market")).to_be_visible()

    page.get_by_label("Language").select_option("zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(re.compile(r"/u/meili$"))
    expect(page.get_by_text("注册时间").or_(page.get_by_text("加入时间"))).to_be_visible()

    open_account_menu(page)
    page.get_by_role("button", name="退出登录").click()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="登录", exact=True)).to_be_visible()

    nav.get_by_role("link", name="登录", exact=True).click()
    page.locator("#login").fill("MEILI@example.com")
    page.locator("#password").fill("a garden of ideas")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_test_id("account-menu")).to_contain_text("Mei Li")
    # The language chosen while signed in is remembered on the account.
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_bad_sign_in_and_bad_registration_show_clear_messages(page: Page, live_user):
    live_user(username="taken")
    page.goto("/login")
    page.get_by_label("Username or e-mail").fill("taken")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")

    page.goto("/register")
    fill_registration(page, "TAKEN", "someone@example.com", "Someone", "short")
    expect(page.get_by_text("That username is taken.")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")


SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize(
    "locale, words",
    [
        (
            "en",
            {
                "join": "Create account",
                "sent": "Check your e-mail to finish signing up",
                "create": "Create my account",
                "welcome": "Welcome to Cocreate, Lin Mei!",
                "used": "This sign-up link was already used",
            },
        ),
        (
            "zh_Hans",
            {
                "join": "创建账户",
                "sent": "查收电子邮件，完成注册",
                "create": "创建我的账户",
                "welcome": "Lin Mei",
                "used": "此注册链接已被使用",
            },
        ),
    ],
)
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_sign_up_check_the_mail_follow_the_link_and_be_signed_in(
    browser, base_url, live_server, locale, words, screen
):
    context = browser.new_context(base_url=base_url, viewport=SCREENS[screen])
    page = context.new_page()
    shots = f"test-results/sign-up-{locale}-{screen}"
    username = f"lin{locale[:2]}{screen[0]}"
    email = f"{username}@example.com"
    page.goto("/register")
    page.locator("#language-select").select_option(locale)
    expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))
    page.locator("#username").fill(username)
    page.locator("#email").fill(email)
    page.locator("#display_name").fill("Lin Mei")
    page.locator("#password").fill("a garden of ideas")
    page.locator("#confirm").fill("a garden of ideas")
    page.get_by_role("button", name=words["join"], exact=True).click()

    expect(page).to_have_url(re.compile(r"/register/sent$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["sent"])
    expect(page.get_by_text(email)).to_be_visible()
    page.screenshot(path=f"{shots}-1-sent.png", full_page=True)

    link = mailed_link(live_server, email, "/register/confirm/")
    page.goto(link)
    page.screenshot(path=f"{shots}-2-confirm.png", full_page=True)
    page.get_by_role("button", name=words["create"]).click()

    expect(page).to_have_url(re.compile(r"/settings/profile$"))
    expect(page.get_by_role("alert").first).to_contain_text(words["welcome"])
    expect(page.get_by_test_id("account-menu")).to_contain_text("Lin Mei")
    page.screenshot(path=f"{shots}-3-signed-in.png", full_page=True)

    page.goto(link)  # a second time: already used
    expect(page.get_by_role("heading", level=1)).to_have_text(words["used"])
    page.screenshot(path=f"{shots}-4-used.png", full_page=True)
    context.close()


def test_password_change_signs_out_the_other_open_tab_live(browser, base_url, live_user, sign_in):
    user = live_user(display_name="Two Tabs")
    first = browser.new_context(base_url=base_url).new_page()
    second = browser.new_context(base_url=base_url).new_page()
    for tab in (first, second):
        sign_in(tab, user.username)
    second.goto(f"/u/{user.username}")
    expect(second.locator("body")).to_have_attribute("data-live", "connected")

    first.goto("/settings/password")
    first.get_by_label("Current password").fill(PASSWORD)
    first.get_by_label("New password", exact=True).fill("an entirely new phrase")
    first.get_by_label("Repeat new password").fill("an entirely new phrase")
    first.get_by_role("button", name="Change password").click()
    expect(first.get_by_role("alert").first).to_contain_text("Password changed")

    expect(second.locator("#live-banner")).to_be_visible()
    expect(second.locator("#live-banner")).to_contain_text("signed out")
    second.reload()
    nav = second.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    first.context.close()
    second.context.close()


def test_admin_changes_a_role(page: Page, live_user, sign_in):
    admin = live_user(role=Role.ADMIN)
    member = live_user(display_name="Promote Me", organisation="Studio Lumen")
    sign_in(page, admin.username)
    page.get_by_role("link", name="Admin").click()
    page.get_by_label("Search users").fill("Promote")
    page.get_by_role("button", name="Filter").click()
    page.get_by_label("Role of Promote Me").select_option("expert")
    page.get_by_role("row", name=re.compile("Promote Me")).get_by_role(
        "button", name="Save"
    ).click()
    expect(page.get_by_role("alert").first).to_contain_text("Promote Me is now: Expert.")
    page.goto(f"/u/{member.username}")
    expect(page.get_by_text("Expert", exact=True)).to_be_visible()


def test_forgot_password_flow(page: Page, live_server, live_user):
    from community.extensions import mailer

    user = live_user()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("alert").first).to_contain_text("If an account uses that address")
    with live_server.app.app_context():
        message = next(m for m in reversed(mailer.outbox) if m.to == user.email)
    link = re.search(r"https?://\S+/password/reset/\S+", message.text).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("reset by the river")
    page.get_by_label("Repeat new password").fill("reset by the river")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("alert").first).to_contain_text("Your password is changed")
    page.get_by_label("Username or e-mail").fill(user.username)
    page.get_by_label("Password").fill("reset by the river")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-menu")).to_be_visible()
