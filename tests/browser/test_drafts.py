"""Drafts, as Discourse keeps them: what a person types in a question, reply, idea or edit
survives a reload and navigating away, until it is posted or discarded; a failed post keeps
it; signing out forgets it, so the next person on the same browser sees nothing. In English
and Chinese, at desktop and phone width."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from community.permissions import Role
from tests.browser.menus import open_account_menu

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": {
        "restored": "Draft restored",
        "kept": "Draft kept in this browser",
        "discard": "Discard",
        "join": "Join space",
        "post": "Post",
        "too long": "at most",
    },
    "zh_Hans": {
        "restored": "已恢复草稿",
        "kept": "草稿已保存在此浏览器中",
        "discard": "丢弃",
        "join": "加入社区",
        "post": "发布",
        "too long": "最多",
    },
}


def stored_drafts(page: Page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cocreate:draft:'))")


def sign_out(page: Page) -> None:
    open_account_menu(page)
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/")


def join(page: Page, slug: str, words: dict) -> None:
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name=words["join"]).click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize(
    "locale, screen",
    [("en", "desktop"), ("zh_Hans", "phone"), ("en", "phone"), ("zh_Hans", "desktop")],
)
def test_a_question_and_a_reply_keep_their_drafts_until_posted(
    browser, base_url, live_user, live_space, sign_in, locale, screen
):
    words = WORDS[locale]
    shots = f"test-results/drafts-{locale}-{screen}"
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(
        owner, name=f"Drafting Room {locale} {screen}", slug=f"drafts-{locale[:2]}-{screen}"
    )
    customer = live_user(locale=None if locale == "en" else locale)
    context = browser.new_context(base_url=base_url, viewport=SCREENS[screen])
    page = context.new_page()
    sign_in(page, customer.username)
    join(page, slug, words)

    # Type a question, reload: it is back, and the page says so.
    page.goto(f"/s/{slug}/new?kind=question")
    page.locator("#title").fill("Detector drifts after the firmware update")
    page.locator("#body").fill("Since v4.2 the phantom scan drifts by 2%.")
    page.reload()
    expect(page.locator("#title")).to_have_value("Detector drifts after the firmware update")
    expect(page.locator("#body")).to_have_value("Since v4.2 the phantom scan drifts by 2%.")
    expect(page.locator(".draft-status")).to_contain_text(words["restored"])
    page.screenshot(path=f"{shots}-1-restored.png", full_page=True)

    # Navigate away and come back: still there.
    page.goto(f"/s/{slug}")
    page.goto(f"/s/{slug}/new?kind=question")
    expect(page.locator("#body")).to_have_value("Since v4.2 the phantom scan drifts by 2%.")

    # Post: the draft is gone, and a new question starts empty.
    page.locator("form[data-draft] button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text("Detector drifts after the firmware update")
    thread_url = page.url
    assert stored_drafts(page) == []
    page.goto(f"/s/{slug}/new?kind=question")
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator(".draft-status")).to_be_hidden()

    # A reply that the server refuses (too long) comes back with its text.
    page.goto(thread_url)
    reply = page.locator("form[data-draft] textarea[name=body]")
    reply.fill("Recalibrate with the new phantom. " + "x" * 50_000)
    page.locator("#reply button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_contain_text(words["too long"])
    expect(reply).to_have_value("Recalibrate with the new phantom. " + "x" * 50_000)
    expect(page.locator(".draft-status")).to_contain_text(words["restored"])
    page.screenshot(path=f"{shots}-2-reply-kept.png", full_page=False)

    # Shortened and posted: gone.
    reply.fill("Recalibrate with the new phantom.")
    expect(page.locator(".draft-status")).to_contain_text(words["kept"])
    page.locator("#reply button[type=submit]").click()
    expect(page.locator(".post-body").last).to_contain_text("Recalibrate with the new phantom.")
    expect(page.locator("form[data-draft] textarea[name=body]")).to_have_value("")
    assert stored_drafts(page) == []
    context.close()


def test_discarding_and_editing(browser, base_url, live_user, live_space, sign_in):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Scanner Ideas", slug="drafts-discard")
    customer = live_user()
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, customer.username)
    join(page, slug, WORDS["en"])

    # An idea typed, then discarded: the form is empty, and stays so after a reload.
    page.goto(f"/s/{slug}/ideas/new")
    page.locator("#title").fill("Dark mode for the viewer")
    page.locator("#body").fill("Night shifts read scans in the dark.")
    page.reload()
    expect(page.locator("#body")).to_have_value("Night shifts read scans in the dark.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".draft-status").get_by_role("button", name="Discard").click()
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator("#body")).to_have_value("")
    expect(page.locator(".draft-status")).to_be_hidden()
    page.reload()
    expect(page.locator("#title")).to_have_value("")
    assert stored_drafts(page) == []

    # Posted, then edited: the edit survives a reload over the saved text, until saved.
    page.locator("#title").fill("Dark mode for the viewer")
    page.locator("#body").fill("Night shifts read scans in the dark.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.locator("h1")).to_contain_text("Dark mode for the viewer")
    idea_url = page.url
    page.goto(idea_url + "/edit")
    page.locator("#body").fill("Night shifts read scans in the dark; glare tires the eyes.")
    page.reload()
    expect(page.locator("#body")).to_have_value(
        "Night shifts read scans in the dark; glare tires the eyes."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".idea-body, main")).to_contain_text("glare tires the eyes")
    assert stored_drafts(page) == []


def test_signing_out_leaves_nothing_for_the_next_person(
    browser, base_url, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Shared Terminal", slug="drafts-shared")
    first, second = live_user(), live_user()
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, first.username)
    join(page, slug, WORDS["en"])
    page.goto(f"/s/{slug}/new?kind=question")
    page.locator("#body").fill("My patient's scan shows an artefact near the implant.")
    page.goto(f"/s/{slug}")
    assert len(stored_drafts(page)) == 1
    # A second tab still shows the form when the first one signs out.
    tab = page.context.new_page()
    tab.goto(f"/s/{slug}/new?kind=question")
    expect(tab.locator("#body")).to_have_value(
        "My patient's scan shows an artefact near the implant."
    )
    expect(tab.locator("body")).to_have_attribute("data-live", "connected")
    sign_out(page)
    assert stored_drafts(page) == []
    # Told it is signed out, the tab keeps nothing more of what is typed there.
    expect(tab.locator("#live-banner")).to_be_visible()
    tab.locator("#body").fill("More about the implant.")
    tab.evaluate("window.dispatchEvent(new Event('pagehide'))")
    assert stored_drafts(page) == []
    tab.close()

    # The next person on this browser starts empty, even where the first person's draft was
    # left behind (a session that ended without signing out), and whatever else is stored.
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    sign_in(page, second.username)
    join(page, slug, WORDS["en"])
    page.goto(f"/s/{slug}/new?kind=question")
    key = page.locator("form[data-draft]").get_attribute("data-draft")
    assert key.startswith(f"u{second.id}:")
    theirs = {"at": 1e15, "base": {"body": ""}, "fields": {"body": "Someone else's words"}}
    stored = {
        f"u{first.id}:{key.split(':', 1)[1]}": json.dumps(theirs),
        f"{key}:x": "not json",
        key: json.dumps({"at": "soon", "base": 5, "fields": {"body": ["<b>"]}}),
    }
    page.evaluate(
        """(stored) => Object.entries(stored).forEach(
               ([key, text]) => localStorage.setItem("cocreate:draft:" + key, text))""",
        stored,
    )
    page.reload()
    expect(page.locator("#body")).to_have_value("")
    expect(page.locator(".draft-status")).to_be_hidden()
    assert errors == []
    # What is not a draft this script wrote is dropped.
    assert f"cocreate:draft:{key}" not in stored_drafts(page)
    assert f"cocreate:draft:{key}:x" not in stored_drafts(page)

    # Anonymous visitors get no draft at all.
    sign_out(page)
    page.goto(f"/s/{slug}")
    assert page.locator("form[data-draft]").count() == 0


def _product(live_server, slug: str, admin) -> str:
    """A product of the space, made by a site admin; its slug."""
    from community.accounts.models import User
    from community.extensions import db
    from community.products import operations as products
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        product = products.create_product(
            name="Scanner Suite",
            slug=f"suite-{slug}",
            description="",
            space_ids=[space.id],
            by=db.session.get(User, admin.id),
        )
        db.session.commit()
        return product.slug


@pytest.mark.parametrize("locale, screen", [("en", "desktop"), ("zh_Hans", "phone")])
def test_the_other_long_text_forms_keep_their_drafts(
    browser, base_url, live_server, live_user, live_space, sign_in, locale, screen
):
    """A profile's bio, a space's description, a release's notes and an idea's public status
    response are long text too: each survives a reload until it is saved."""
    from tests.browser.test_ideas import _ideas

    words = WORDS[locale]
    admin = live_user(role=Role.ADMIN, locale=None if locale == "en" else locale)
    slug = live_space(admin, name=f"Long Texts {locale}", slug=f"long-texts-{locale[:2]}")
    product = _product(live_server, slug, admin)
    idea_id = _ideas(live_server, slug, admin, [f"Long text idea {locale}"])[
        f"Long text idea {locale}"
    ]
    page = browser.new_context(base_url=base_url, viewport=SCREENS[screen]).new_page()
    sign_in(page, admin.username)
    forms = [
        ("/settings/profile", "#bio", "I calibrate CT scanners in three hospitals and"),
        (f"/s/{slug}/settings", "#description", "Where the radiology team shares what it"),
        (f"/products/{product}/releases/new", "#notes", "- Presets per scanner\n- Faster exp"),
    ]
    for url, selector, text in forms:
        page.goto(url)
        page.locator(selector).fill(text)
        expect(page.locator(".draft-status")).to_contain_text(words["kept"])
        page.reload()
        expect(page.locator(selector)).to_have_value(text)
        expect(page.locator(".draft-status")).to_contain_text(words["restored"])
    page.screenshot(path=f"test-results/drafts-long-{locale}-{screen}.png", full_page=True)

    # The status response, in its fold on the idea page.
    page.goto(f"/ideas/{idea_id}")
    page.locator("summary", has_text="Change status" if locale == "en" else "更改状态").click()
    page.locator("#response").fill("Planned for the spring release, because")
    page.reload()
    page.locator("summary", has_text="Change status" if locale == "en" else "更改状态").click()
    expect(page.locator("#response")).to_have_value("Planned for the spring release, because")
    keys = stored_drafts(page)
    assert len(keys) == 4, keys
    page.locator("#status").select_option("planned")
    page.locator("form[action$='/status'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert not any(k.endswith(f":idea-status:{idea_id}") for k in stored_drafts(page))

    # Saving each form forgets its draft, and only its own.
    page.goto(f"/products/{product}/releases/new")
    page.locator("#version").fill("1.2")
    page.locator("#released_on").fill("2026-11-30")
    page.locator("form[data-draft] button[type=submit]").click()
    page.wait_for_load_state("load")
    left = stored_drafts(page)
    assert len(left) == 2 and not any(":release-new:" in k for k in left), left
    page.goto(f"/s/{slug}/settings")
    page.locator("form[data-draft] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.goto("/settings/profile")
    page.locator("form[data-draft] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert stored_drafts(page) == []
    page.context.close()
