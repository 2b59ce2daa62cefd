"""A developer creates a personal API token, reads its secret once, calls the API with it,
browses the documentation and revokes the token — in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.menus import open_account_menu


def test_token_created_used_and_revoked(browser, base_url, live_user, sign_in):
    dev = live_user(display_name="Dana Developer")
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    sign_in(page, dev.username)
    open_account_menu(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Token name").fill("Demand report")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert").first).to_contain_text("Token “Demand report” created.")
    secret = page.get_by_test_id("token-secret").input_value()
    assert secret.startswith("cc_")
    expect(page.get_by_test_id("token-list")).to_contain_text("read and write")

    me = context.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["data"]["display_name"] == "Dana Developer"

    page.get_by_role("link", name="Read the API documentation").click()
    expect(page.locator("#swagger-ui .opblock-tag", has_text="ideas")).to_be_visible()
    page.screenshot(path="test-results/api-docs.png", full_page=False)
    page.goto("/settings/api-tokens")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alert").first).to_contain_text("Token “Demand report” revoked.")
    refused = context.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
