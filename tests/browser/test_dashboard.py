"""An analyst reads the dashboard: filters by space and segment, sees the chart and the same
numbers in a table, switches views and exports CSV — in Chromium."""

from __future__ import annotations

import csv

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_ideas import _ideas


def test_dashboard_filters_charts_tables_and_csv(
    browser, base_url, live_server, live_user, live_space, sign_in, tmp_path
):
    owner = live_user(role=Role.MODERATOR, display_name="Dora Dashboard")
    buyer = live_user(display_name="Ben Buyer", segment="enterprise", organisation="Acme")
    slug = live_space(owner, name="Dashboard Lab", slug="dashboard-bt")
    _ideas(
        live_server,
        slug,
        owner,
        ["Faster boot", "Bigger fonts", "Quiet mode"],
        voters=[(buyer, "Faster boot"), (owner, "Faster boot"), (owner, "Quiet mode")],
    )
    analyst = live_user(role=Role.ANALYST, display_name="Ana Analyst")
    page = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    sign_in(page, analyst.username)
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Idea funnel")).to_be_visible()
    page.get_by_label("Space").select_option(label="Dashboard Lab")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("kpi").first).to_have_text("3")
    expect(page.locator("canvas[data-chart='chart-status']")).to_have_attribute("data-drawn", "1")
    status_table = page.get_by_test_id("table-status")
    expect(status_table.get_by_role("row", name="New 3")).to_be_visible()

    page.get_by_role("link", name="Demand").click()  # the filters come along
    expect(page.get_by_label("Space")).to_have_value("dashboard-bt")
    page.get_by_label("Segment").select_option(label="Enterprise")
    page.get_by_role("button", name="Apply").click()
    top = page.get_by_test_id("table-top")
    expect(top.get_by_role("row")).to_have_count(2)  # heading + Faster boot
    expect(top).to_contain_text("Faster boot")
    expect(page.get_by_test_id("table-organisations")).to_contain_text("Acme")
    page.screenshot(path="test-results/dashboard.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "demand.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row and row[0] == "top"]
    assert [row[2:] for row in rows] == [["Faster boot", "1"]]
