"""An admin finds a failed background job from the admin navigation, reads its error, retries
one and deletes another — in Chromium, in English and Chinese, on a desk and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.menus import open_navigation

WIDTHS = {"desk": 1280, "phone": 390}


def _failed(live_server, name: str, arguments: dict, error: str) -> int:
    from community.extensions import db
    from community.jobs import operations

    with live_server.app.app_context():
        row = operations.record_failure(name, arguments, error, attempts=4)
        db.session.commit()
        return row.id


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_admin_retries_and_deletes_failed_jobs(
    browser, base_url, live_server, live_user, sign_in, locale
):
    chinese = locale == "zh_Hans"
    admin = live_user(role=Role.ADMIN, display_name="Ada Jobs", locale=locale)
    for name, width in WIDTHS.items():
        retried = _failed(
            live_server,
            "analytics.rebuild",
            {},
            'Traceback (most recent call last):\n  File "rollup.py", line 9\n'
            "sqlalchemy.exc.OperationalError: database is locked",
        )
        deleted = _failed(
            live_server,
            "mail.deliver",
            {"message": {"to": "a@example.com", "subject": "Hi", "text": "Body"}},
            "Traceback (most recent call last):\nConnectionRefusedError: [Errno 111] refused",
        )
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, admin.username)
        page.wait_for_load_state("load")
        open_navigation(page)
        page.get_by_role("link", name="管理" if chinese else "Admin", exact=True).click()
        tabs = page.locator(".nav-underline")
        tabs.get_by_role("link", name="任务" if chinese else "Jobs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "后台任务" if chinese else "Background jobs"
        )
        expect(page.locator(".queue-state")).to_contain_text(
            "任务在网站进程内运行" if chinese else "Jobs run inside the web process"
        )
        card = page.locator(f"#job-{retried}")
        expect(card).to_contain_text("analytics.rebuild")
        expect(card.locator(".job-error")).to_have_text(
            "sqlalchemy.exc.OperationalError: database is locked"
        )
        expect(card).to_contain_text("尝试 4 次" if chinese else "4 attempts")
        card.locator("summary").click()
        expect(card.locator(".job-traceback")).to_contain_text('File "rollup.py", line 9')
        page.screenshot(path=f"test-results/jobs-{locale}-{name}-list.png", full_page=True)

        card.get_by_role("button", name="重试" if chinese else "Retry").click()
        expect(page.get_by_role("alert").first).to_contain_text(
            "任务已重新开始" if chinese else "The job was started again."
        )
        expect(page.locator(f"#job-{retried}")).to_have_count(0)
        page.locator(f"#job-{deleted}").get_by_role(
            "button", name="删除" if chinese else "Delete"
        ).click()
        expect(page.get_by_role("alert").first).to_contain_text(
            "失败的任务已删除" if chinese else "The failed job was deleted."
        )
        expect(page.locator(f"#job-{deleted}")).to_have_count(0)
        page.screenshot(path=f"test-results/jobs-{locale}-{name}-done.png", full_page=True)
        context.close()
