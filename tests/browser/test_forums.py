"""A newcomer finds a space, joins, asks; an expert answers; the asker accepts; a moderator
locks the thread — clicked through in Chromium, in English and in Chinese."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from community.permissions import Role
from tests.browser.menus import open_account_menu


def sign_out(page: Page) -> None:
    open_account_menu(page)
    page.locator("form[action='/logout'] button").click()


def test_join_ask_answer_accept_lock(browser, base_url, live_user, live_space, sign_in):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    expert = live_user(role=Role.EXPERT, display_name="Erik Expert")
    slug = live_space(mod, name="Imaging Workflows", slug="imaging-bt", tags="radiology")
    customer = live_user(display_name="Casey Customer")
    page = browser.new_context(base_url=base_url).new_page()

    # The customer finds the space by filtering the directory as they type, and joins.
    sign_in(page, customer.username)
    page.get_by_role("link", name="Spaces", exact=True).click()
    page.get_by_placeholder("Filter by name, topic or tag").fill("imaging")
    expect(page.locator("#directory-results")).to_have_attribute("data-loaded", "q=imaging")
    page.locator("#directory-results").get_by_role("link", name="Imaging Workflows").click()
    page.get_by_role("button", name="Join space").click()
    expect(page.get_by_role("alert").first).to_contain_text("Welcome to Imaging Workflows!")

    # ... and asks a question.
    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Title").fill("Detector drifts after the firmware update")
    page.get_by_label("Details").fill(
        "Since **v4.2** the phantom scan drifts by 2%. @" + expert.username + "?"
    )
    page.get_by_label("Tags").fill("calibration")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(
        page.get_by_role("heading", name="Detector drifts after the firmware update")
    ).to_be_visible()
    expect(page.get_by_text("Unsolved")).to_be_visible()
    question_url = page.url
    sign_out(page)

    # The expert joins and answers.
    sign_in(page, expert.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Join space").click()
    page.goto(question_url)
    page.get_by_label("Your reply").fill(
        "Recalibrate with the new phantom:\n\n```\ncalibrate --detector all\n```"
    )
    page.get_by_role("button", name="Post answer").click()
    expect(page.locator(".post-body code").last).to_contain_text("calibrate --detector all")
    sign_out(page)

    # The asker accepts the answer; the thread shows as solved.
    sign_in(page, customer.username)
    page.goto(question_url)
    page.get_by_role("button", name="Accept answer").click()
    expect(page.get_by_role("alert").first).to_contain_text("Answer accepted")
    expect(page.locator(".post-accepted").first).to_contain_text("calibrate --detector all")
    page.get_by_role("link", name="Imaging Workflows").first.click()
    expect(page.locator(".thread-row").first).to_contain_text("Solved")
    sign_out(page)

    # A moderator locks the thread; the customer can no longer reply.
    sign_in(page, mod.username)
    page.goto(question_url)
    page.get_by_role("button", name="Lock thread").click()
    expect(page.get_by_role("alert").first).to_contain_text("Thread locked.")
    sign_out(page)
    sign_in(page, customer.username)
    page.goto(question_url)
    expect(page.get_by_text("This thread is locked: no new replies.")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_count(0)
    page.context.close()


def test_chinese_newcomer_asks_in_a_restricted_space(
    browser, base_url, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="林美")
    slug = live_space(mod, name="家居共创社区", slug="home-bt", visibility="restricted")
    newcomer = live_user(display_name="王芳", locale="zh_Hans")
    page = browser.new_context(base_url=base_url, locale="zh-CN").new_page()

    sign_in_zh(page, newcomer.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("link", name="申请加入").first.click()
    page.get_by_role("button", name="发送申请").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    sign_out_zh(page)

    sign_in_zh(page, mod.username)
    page.goto(f"/s/{slug}/members?state=pending")
    page.get_by_role("button", name="批准").click()
    sign_out_zh(page)

    sign_in_zh(page, newcomer.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("link", name="提问").first.click()
    page.get_by_label("标题").fill("拼装说明第三步看不懂")
    page.locator("#body").fill("第三步的螺丝应该装在哪个孔？")
    page.locator("form button[type=submit].btn-primary").first.click()
    expect(page.get_by_role("heading", name="拼装说明第三步看不懂")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.context.close()


def sign_in_zh(page: Page, username: str) -> None:
    from tests.fixtures.accounts import PASSWORD

    page.goto("/login")
    page.locator("#login").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def sign_out_zh(page: Page) -> None:
    sign_out(page)
