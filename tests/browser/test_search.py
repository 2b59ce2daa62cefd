"""Searching from the header: suggestions while typing, results, facets, Chinese."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from community.extensions import db
from community.forums import operations as forums
from community.permissions import Role
from community.spaces.models import Space


def seed(live_server, owner, slug: str, threads: list[tuple[str, str, str]]) -> None:
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        author = db.session.get(type(owner), owner.id)
        for kind, title, body in threads:
            forums.start_thread(space, author=author, kind=kind, title=title, body=body)
        db.session.commit()


def test_search_from_the_header(page: Page, live_server, live_user, live_space):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Scanner Care", slug="scanner-bt")
    seed(
        live_server,
        owner,
        slug,
        [
            (
                "question",
                "Recalibrating gantry sensors",
                "The gantry sensors drift after the firmware update.",
            ),
            ("discussion", "Gantry noise ideas", "Ideas to make the gantry quieter at night."),
            ("question", "衣柜拼装说明看不懂", "第三步的螺丝装在哪里？"),
        ],
    )
    private = live_space(owner, name="Hidden Lab", slug="hidden-bt", visibility="private")
    seed(live_server, owner, private, [("question", "Gantry prototype secrets", "gantry")])

    page.goto("/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill("gantr")
    suggestions = page.locator("#site-search-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions).to_contain_text("Recalibrating gantry sensors")
    expect(suggestions).not_to_contain_text("secrets")

    box.fill("gantry")
    box.press("Enter")
    expect(page.get_by_text("2 results")).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_have_text("gantry")
    expect(page.locator(".search-results")).not_to_contain_text("Gantry prototype secrets")

    page.locator(".search-facets").get_by_role("link", name="Discussions").click()
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    expect(page.locator(".search-results")).to_contain_text("Gantry noise ideas")

    page.get_by_role("searchbox", name="Search").first.fill("螺丝")
    page.get_by_role("searchbox", name="Search").first.press("Enter")
    expect(page.locator(".search-results")).to_contain_text("衣柜拼装说明看不懂")
    page.locator(".search-results").get_by_role("link", name="衣柜拼装说明看不懂").click()
    expect(page.get_by_role("heading", name="衣柜拼装说明看不懂")).to_be_visible()


def test_did_you_mean(page: Page, live_server, live_user, live_space):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Detectors", slug="detectors-bt")
    seed(live_server, owner, slug, [("question", "Detector calibration schedule", "How often?")])
    page.goto("/search?q=calibratoin")
    page.get_by_role("link", name="calibration").click()
    expect(page.locator(".search-results")).to_contain_text("Detector calibration schedule")


def test_a_lost_index_says_it_is_being_rebuilt_and_finds_new_posts(
    browser, base_url, live_server, live_user, live_space
):
    import os

    from community.search.service import search_service

    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Index Care", slug="index-care-bt")
    seed(live_server, owner, slug, [("question", "Bellows calibration drift", "It drifts.")])
    with live_server.app.app_context():
        os.remove(search_service().backend.file)  # deleted by hand while the site runs
    try:
        for locale, notice in [
            ("en-US", "The search index is being rebuilt"),
            ("zh-CN", "搜索索引正在重建"),
        ]:
            for width in (1280, 390):
                context = browser.new_context(
                    base_url=base_url, locale=locale, viewport={"width": width, "height": 800}
                )
                page = context.new_page()
                page.goto("/search?q=bellows")
                expect(page.locator(".search-rebuilding")).to_contain_text(notice)
                expect(page.locator(".search-results")).to_have_count(0)
                page.screenshot(path=f"test-results/search-rebuilding-{locale}-{width}.png")
                context.close()

        seed(live_server, owner, slug, [("question", "Bellows replacement guide", "New.")])
        page = browser.new_context(base_url=base_url).new_page()
        page.goto("/search?q=bellows")
        expect(page.locator(".search-results")).to_contain_text("Bellows replacement guide")
        expect(page.locator(".search-results")).not_to_contain_text("calibration drift")
        expect(page.locator(".search-rebuilding")).to_be_visible()
    finally:
        result = live_server.app.test_cli_runner().invoke(args=["search", "rebuild"])
        assert result.exit_code == 0, result.output
    page.reload()
    expect(page.locator(".search-results")).to_contain_text("Bellows calibration drift")
    expect(page.locator(".search-rebuilding")).to_have_count(0)
