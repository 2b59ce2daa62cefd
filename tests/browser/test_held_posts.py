"""A new member posts into a space that holds new members' posts, edits the thread while it
waits (adding an @mention), and a moderator sees the words as they are now, with the change
marked, and approves them: only then is the mentioned person told, of the approved words.
Screenshots of the author's view, the queue and the case, in English and Chinese, at desktop
and phone widths."""

from __future__ import annotations

from contextlib import contextmanager

from playwright.sync_api import Browser, expect

from community.permissions import Role
from tests.browser.test_forums import sign_out

WIDTHS = {"desktop": 1280, "phone": 390}
LANGUAGES = {"en": "en-GB", "zh": "zh-CN"}


@contextmanager
def _new_accounts_held(live_server, slug: str):
    """New-account limits on (the live server's tests run without them), and the space
    holding new members' posts."""
    from community.extensions import db
    from community.spaces.models import Space

    app = live_server.app
    app.config["NEW_ACCOUNT_LIMITS"] = True
    with app.app_context():
        db.session.scalar(db.select(Space).where(Space.slug == slug)).hold_new_posts = True
        db.session.commit()
    try:
        yield
    finally:
        app.config["NEW_ACCOUNT_LIMITS"] = False


def _join(live_server, slug: str, *people) -> None:
    from community.accounts.models import User
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in people:
            spaces.join_space(space, db.session.get(User, person.id))
        db.session.commit()


def _mentions(live_server, user) -> list[str]:
    """The titles of the threads ``user`` was told they are mentioned in."""
    from community.extensions import db
    from community.forums.models import Thread
    from community.notifications.models import Notification

    with live_server.app.app_context():
        return list(
            db.session.scalars(
                db.select(Thread.title)
                .join(Notification, Notification.thread_id == Thread.id)
                .where(Notification.user_id == user.id, Notification.kind == "mention")
            )
        )


def _screenshots(browser: Browser, base_url: str, state: dict, url: str, name: str) -> None:
    """The page at ``url`` as the signed-in person of ``state`` sees it, in both languages at
    both widths (files in test-results/, not committed)."""
    for lang, locale in LANGUAGES.items():
        for width_name, width in WIDTHS.items():
            context = browser.new_context(
                base_url=base_url,
                storage_state=state,
                locale=locale,
                viewport={"width": width, "height": 900},
            )
            page = context.new_page()
            page.goto(url)
            expect(page.locator("html")).to_have_attribute(
                "lang", "zh-Hans" if lang == "zh" else "en"
            )
            page.screenshot(
                path=f"test-results/held-{name}-{lang}-{width_name}.png", full_page=True
            )
            context.close()


def test_a_held_thread_edited_while_held_is_approved_as_it_reads_now(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Mona Moderator")
    newcomer = live_user(display_name="Nina Newcomer")
    tom = live_user(display_name="Tom Technician")
    slug = live_space(mod, name="Probe Care", slug="probe-care-held")
    _join(live_server, slug, newcomer, tom)

    with _new_accounts_held(live_server, slug):
        # The newcomer starts a discussion: it waits for a moderator, and says so.
        context = browser.new_context(base_url=base_url, locale="en-GB")
        page = context.new_page()
        sign_in(page, newcomer.username)
        page.goto(f"/s/{slug}/new?kind=discussion")
        page.get_by_label("Title").fill("Cleaning probes")
        page.get_by_label("Details").fill("How often do you clean the probes?")
        page.get_by_role("button", name="Post", exact=True).click()
        expect(page.get_by_role("alert").first).to_contain_text(
            "Your thread is waiting for a moderator's approval"
        )
        expect(page.get_by_test_id("held-badge")).to_have_text("Waiting for approval")
        expect(page.get_by_test_id("replies-wait")).to_be_visible()
        expect(page.get_by_text("Join this space to reply")).to_have_count(0)
        thread_url = page.url

        # While it waits, the newcomer edits it and mentions Tom.
        page.locator(".post-actions").get_by_role("link", name="Edit").first.click()
        page.get_by_label("Title").fill("Cleaning probes between patients")
        page.get_by_label("Text").fill(
            f"How often do you clean the probes? @{tom.username} what do you do?"
        )
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("held-note")).to_contain_text("only you and the moderators")
        expect(page.get_by_role("heading", name="Cleaning probes between patients")).to_be_visible()
        assert _mentions(live_server, tom) == []
        _screenshots(browser, base_url, context.storage_state(), thread_url, "author")
        context.close()

        # Others do not see it at all.
        reader = browser.new_context(base_url=base_url).new_page()
        response = reader.goto(thread_url)
        assert response is not None and response.status == 404

        # The moderator finds it in the queue, marked as edited, and reads it as it is now.
        context = browser.new_context(base_url=base_url, locale="en-GB")
        page = context.new_page()
        sign_in(page, mod.username)
        page.goto(f"/s/{slug}")
        page.locator(".space-tabs").get_by_role("link", name="Moderation").click()
        queue_url = page.url
        row = page.locator(".queue-item").filter(has_text="Cleaning probes between patients")
        expect(row).to_contain_text("Held for approval")
        expect(row.get_by_test_id("queue-edited")).to_have_text("Edited since it was held")
        row.click()
        case_url = page.url
        expect(page.get_by_test_id("case-body")).to_contain_text(f"@{tom.username}")
        changes = page.get_by_test_id("case-changes")
        expect(changes).to_contain_text("What changed since it was held")
        expect(page.get_by_test_id("diff-title").locator("ins")).to_have_text(" between patients")
        expect(page.get_by_test_id("diff-body").locator("ins")).to_contain_text(f"@{tom.username}")
        expect(page.get_by_text("Dismiss the flags")).to_have_count(0)
        _screenshots(browser, base_url, context.storage_state(), queue_url, "queue")
        _screenshots(browser, base_url, context.storage_state(), case_url, "case")

        approve = page.get_by_test_id("approve-form")
        approve.get_by_label("Reason").fill("Welcome, a good question")
        approve.get_by_role("button", name="Approve and publish").click()
        expect(page.get_by_role("alert").first).to_contain_text("Approved and published.")
        context.close()

    # Tom is told now, of the thread as approved, and everyone can read it.
    assert _mentions(live_server, tom) == ["Cleaning probes between patients"]
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, tom.username)
    page.goto("/notifications")
    page.get_by_text("mentioned you in “Cleaning probes between patients”").click()
    expect(page.locator(".post-body").first).to_contain_text("what do you do?")
    expect(page.get_by_test_id("held-note")).to_have_count(0)
    sign_out(page)
