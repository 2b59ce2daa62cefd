"""An analyst picks dates the wrong way round: the Insights dashboard and the idea explorer
say which filter is wrong and show no numbers (rather than numbers for another range), and the
corrected filters work — in Chromium, in English and Chinese, on a desk and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_ideas import _ideas

WIDTHS = {"desk": 1280, "phone": 390}


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_reversed_dates_are_refused_with_a_clear_message(
    browser, base_url, live_server, live_user, live_space, sign_in, locale
):
    owner = live_user(role=Role.MODERATOR, display_name="Fay Filters")
    slug = live_space(owner, name=f"Filter Lab {locale}", slug=f"filter-bt-{locale[:2]}")
    title = f"Quiet fans ({locale})"
    _ideas(live_server, slug, owner, [title], voters=[(owner, title)])
    analyst = live_user(role=Role.ANALYST, display_name="Ana Dates", locale=locale)
    chinese = locale == "zh_Hans"
    for name, width in WIDTHS.items():
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, analyst.username)

        page.goto("/analytics/funnel")
        page.locator("#d-start").fill("2026-03-01")
        page.locator("#d-end").fill("2026-02-01")
        page.locator("[data-testid=dashboard-filters] button[type=submit]").click()
        problem = page.get_by_test_id("filter-problem")
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text("请修正此筛选条件" if chinese else "Fix this filter")
        expect(problem).to_contain_text("从" if chinese else "From:")
        expect(page.get_by_test_id("kpi")).to_have_count(0)
        expect(page.locator("#d-start")).to_have_value("2026-03-01")  # kept, to be corrected
        page.screenshot(path=f"test-results/bad-filters-dashboard-{locale}-{name}.png")

        page.locator("#d-start").fill("2026-01-01")
        page.locator("[data-testid=dashboard-filters] button[type=submit]").click()
        expect(page.get_by_test_id("filter-problem")).to_have_count(0)
        expect(page.get_by_test_id("kpi").first).to_be_visible()

        page.goto("/analytics/ideas")
        page.locator("#f-from").fill("2026-03-01")
        page.locator("#f-to").fill("2026-02-01")
        page.locator(".explorer-filters button[type=submit]").click()
        expect(page.get_by_test_id("filter-problem")).to_contain_text(
            "提出时间起" if chinese else "Proposed from:"
        )
        expect(page.get_by_test_id("explorer-row")).to_have_count(0)
        page.screenshot(path=f"test-results/bad-filters-explorer-{locale}-{name}.png")

        page.locator("#f-from").fill("")
        page.locator("#f-to").fill("")
        page.locator(".explorer-filters button[type=submit]").click()
        expect(page.get_by_test_id("filter-problem")).to_have_count(0)
        expect(page.get_by_test_id("explorer-row").filter(has_text=title)).to_have_count(1)
        context.close()
