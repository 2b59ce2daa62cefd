"""An admin opens Admin → Backups, backs the site up, downloads the archive and deletes it;
the page says how to restore — in Chromium, in English and Chinese, on a desk and a phone."""

from __future__ import annotations

import flask_migrate
import pytest
from playwright.sync_api import expect

from community.permissions import Role

WIDTHS = {"desktop": 1280, "phone": 390}
TEXT = {
    "en": {
        "tab": "Backups",
        "now": "Back up now",
        "made": "made.",
        "delete": "Delete",
        "sure": "Delete this backup",
        "deleted": "deleted.",
        "restore": "Restoring a backup",
    },
    "zh_Hans": {
        "tab": "备份",
        "now": "立即备份",
        "made": "已完成",
        "delete": "删除",
        "sure": "删除此备份",
        "deleted": "已删除",
        "restore": "恢复备份",
    },
}


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_an_admin_backs_up_downloads_and_deletes(
    browser, base_url, live_server, live_user, sign_in, locale, tmp_path
):
    with live_server.app.app_context():
        flask_migrate.stamp()  # as `flask db upgrade` leaves a database: a backup needs it
    words = TEXT[locale]
    admin = live_user(role=Role.ADMIN, display_name=f"Bea Backups {locale}", locale=locale)
    for name, width in WIDTHS.items():
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, admin.username)
        if name == "desktop":  # through the navigation; on a phone it folds into a menu
            page.get_by_role(
                "link", name="管理" if locale == "zh_Hans" else "Admin", exact=True
            ).click()
            page.locator(".nav-underline").get_by_role("link", name=words["tab"]).click()
        else:
            page.goto("/admin/backups")
        expect(page.get_by_role("heading", name=words["restore"])).to_be_visible()
        rows = page.get_by_test_id("backup-row")
        before = rows.count()

        page.get_by_test_id("backup-now").click()
        expect(page.locator(".alert-success")).to_contain_text(words["made"])
        expect(rows).to_have_count(before + 1)
        newest = rows.first
        expect(newest).to_contain_text("SQLite")
        expect(page.locator("pre code")).to_contain_text("flask --app wsgi restore cocreate-")
        page.screenshot(path=f"test-results/backups-{locale}-{name}.png", full_page=True)

        with page.expect_download() as download:
            newest.get_by_role("link").first.click()
        archive_name = download.value.suggested_filename
        assert archive_name.startswith("cocreate-") and archive_name.endswith(".tar.gz")
        saved = tmp_path / f"{name}.tar.gz"
        download.value.save_as(saved)
        assert saved.stat().st_size > 1000

        newest.locator("summary").click()
        newest.get_by_role("button", name=words["sure"]).click()
        expect(page.locator(".alert-success")).to_contain_text(words["deleted"])
        expect(rows).to_have_count(before)
        expect(page.get_by_test_id("backups").get_by_text(archive_name)).to_have_count(0)
        context.close()
