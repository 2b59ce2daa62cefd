"""Nobody on a live board loses what they type. A facilitator and two participants, each in a
browser of their own: a note written in the lobby is kept through the start of ideation and a
reload (the facilitator is told one participant has an unsent note) and then added; a
participant editing a note keeps typing while the others add notes (the editor keeps its text,
caret and focus); a change to that note from another tab is shown, not applied silently; a
dropped connection resumes from the revision it had, with the composer's text intact; and text
left unsent when grouping starts stays kept beside the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.permissions import Role

WIDTHS = {"desktop": 1280, "phone": 390}


def _session(live_user, live_space, live_session, *, locale: str = "en"):
    tag = locale[:2]
    mod = live_user(role=Role.MODERATOR, display_name=f"Fay Facilitator {tag}", locale=locale)
    anna = live_user(display_name=f"Anna Author {tag}", locale=locale)
    ben = live_user(display_name=f"Ben Busy {tag}", locale=locale)
    slug = live_space(mod, name=f"Lossless Lab {tag}", slug=f"lossless-lab-{tag}")
    session_id = live_session(
        mod,
        (anna, ben),
        slug=slug,
        prompt="What slows down your first week?",
        hidden_ideation=False,
    )
    return mod, anna, ben, f"/sessions/{session_id}"


def _page(browser, base_url, sign_in, user, url, width=1280):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, user.username)
    page.goto(url)
    expect(page.locator("[data-status]")).to_be_hidden()
    return page


def _draft_keys(page) -> list[str]:
    keys = page.evaluate("Object.keys(localStorage)")
    return [key for key in keys if key.startswith("cocreate:draft:")]


def test_nobody_loses_what_they_type(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in
):
    mod, anna, ben, url = _session(live_user, live_space, live_session)
    host = _page(browser, base_url, sign_in, mod, url)
    writer = _page(browser, base_url, sign_in, anna, url)
    busy = _page(browser, base_url, sign_in, ben, url)
    expect(host.locator("[data-presence-count]").first).to_have_text("3")

    # In the lobby Ben writes a note already; the facilitator is told before starting.
    busy.get_by_label("Your note").fill("Half a thought about onboarding")
    expect(busy.get_by_role("button", name="Add note")).to_be_disabled()
    expect(host.locator("[data-unsent-count]")).to_have_text("Participants with unsent notes: 1")
    host.get_by_role("button", name="Next phase").click()
    expect(host.locator("[data-confirm-text]")).to_have_text(
        "1 participant still has an unsent note. Move on anyway?"
    )
    host.get_by_role("button", name="Move on").click()
    expect(busy.locator(".phase-step.current")).to_have_text("Ideate")
    expect(busy.get_by_label("Your note")).to_have_value("Half a thought about onboarding")
    expect(busy.locator("[data-draft]")).to_contain_text("Your unsent note was kept.")

    # A reload mid-phase keeps it; adding it clears what was kept.
    busy.reload()
    expect(busy.get_by_label("Your note")).to_have_value("Half a thought about onboarding")
    expect(busy.locator("[data-draft]")).to_be_visible()
    busy.get_by_role("button", name="Add note").click()
    expect(writer.locator(".sticky-note", has_text="Half a thought")).to_be_visible()
    expect(busy.get_by_label("Your note")).to_have_value("")
    expect(busy.locator("[data-draft]")).to_be_hidden()
    assert _draft_keys(busy) == []
    expect(host.locator("[data-unsent-count]")).to_be_hidden()

    # Anna edits her note while Ben and the facilitator add theirs.
    writer.get_by_label("Your note").fill("Faster imports")
    writer.get_by_role("button", name="Add note").click()
    card = writer.locator(".sticky-note", has_text="Faster imports")
    card.get_by_role("button", name="Edit").click()
    editor = writer.locator(".sticky-editor")
    expect(editor).to_be_focused()
    editor.press("End")
    writer.keyboard.type(" and the l")
    for n, page in enumerate([busy, host, busy]):
        page.get_by_label("Your note").fill(f"Someone else's note {n}")
        page.get_by_role("button", name="Add note").click()
        expect(writer.locator(".sticky-note", has_text=f"Someone else's note {n}")).to_be_visible()
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Faster imports and the l")
    assert editor.evaluate("e => [e.selectionStart, e.selectionEnd]") == [24, 24]
    writer.keyboard.type("ast mile")
    writer.keyboard.press("Enter")
    expect(
        busy.locator(".sticky-note", has_text="Faster imports and the last mile")
    ).to_be_visible()
    expect(writer.locator(".sticky-editor")).to_have_count(0)

    # The same note changed in Anna's other tab while she edits it here: she is asked.
    other_tab = writer.context.new_page()
    other_tab.goto(url)
    writer.locator(".sticky-note", has_text="last mile").get_by_role("button", name="Edit").click()
    writer.locator(".sticky-editor").press("End")
    writer.keyboard.type(", please")
    theirs = other_tab.locator(".sticky-note", has_text="last mile")
    theirs.get_by_role("button", name="Edit").click()
    other_tab.locator(".sticky-editor").fill("Imports that just work")
    other_tab.locator(".sticky-editor").press("Enter")
    conflict = writer.locator("[data-conflict]")
    expect(conflict).to_contain_text("This note was changed meanwhile")
    expect(conflict).to_contain_text("Imports that just work")
    expect(writer.locator(".sticky-editor")).to_have_value(
        "Faster imports and the last mile, please"
    )
    for name, width in WIDTHS.items():
        writer.set_viewport_size({"width": width, "height": 900})
        writer.screenshot(path=f"test-results/board-conflict-en-{name}.png", full_page=True)
    writer.set_viewport_size({"width": 1280, "height": 900})
    conflict.get_by_role("button", name="Keep mine").click()
    expect(other_tab.locator(".sticky-note", has_text="last mile, please")).to_be_visible()
    other_tab.close()

    # Anna's connection drops; the board goes on without her, and she keeps typing.
    writer.context.set_offline(True)
    expect(writer.locator("[data-status]")).to_have_text("Reconnecting…", timeout=30_000)
    busy.get_by_label("Your note").fill("Written while Anna was away")
    busy.get_by_role("button", name="Add note").click()
    expect(host.locator(".sticky-note", has_text="while Anna was away")).to_be_visible()
    writer.get_by_label("Your note").fill("Typed on the train")
    writer.context.set_offline(False)
    expect(writer.locator(".sticky-note", has_text="while Anna was away")).to_be_visible(
        timeout=30_000
    )
    expect(writer.get_by_label("Your note")).to_have_value("Typed on the train")
    expect(writer.locator("[data-status]")).to_be_hidden()

    # Grouping starts with Anna's note unsent: the facilitator is told, and it stays kept.
    expect(host.locator("[data-unsent-count]")).to_have_text("Participants with unsent notes: 1")
    host.get_by_role("button", name="Next phase").click()
    expect(host.locator("[data-confirm-text]")).to_have_text(
        "There is still time left in this phase. End it now? "
        "1 participant still has an unsent note. Move on anyway?"
    )
    host.get_by_role("button", name="End the phase").click()
    expect(writer.locator(".phase-step.current")).to_have_text("Group")
    kept = writer.locator("[data-draft]")
    expect(kept).to_contain_text("Your unsent note is kept here for you")
    expect(kept).to_contain_text("Typed on the train")
    writer.reload()
    expect(writer.locator("[data-draft]")).to_contain_text("Typed on the train")
    for name, width in WIDTHS.items():
        writer.set_viewport_size({"width": width, "height": 900})
        writer.screenshot(path=f"test-results/board-draft-kept-en-{name}.png", full_page=True)
    writer.locator("[data-draft]").get_by_role("button", name="Discard").click()
    expect(writer.locator("[data-draft]")).to_be_hidden()
    assert _draft_keys(writer) == []
    for page in (host, writer, busy):
        page.context.close()


def test_a_draft_is_never_shown_to_the_next_person_and_goes_on_sign_out(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in
):
    mod, anna, ben, url = _session(live_user, live_space, live_session, locale="zh_Hans")
    shared = _page(browser, base_url, sign_in, anna, url, width=390)
    shared.locator("#note-text").fill("只写给自己")
    expect(shared.locator("[data-hidden-hint]")).to_contain_text("主持人开始构思")
    shared.screenshot(path="test-results/board-lobby-draft-zh-phone.png", full_page=True)
    shared.set_viewport_size({"width": 1280, "height": 900})
    shared.screenshot(path="test-results/board-lobby-draft-zh-desktop.png", full_page=True)
    assert len(_draft_keys(shared)) == 1
    # Ideating and grouping start (the facilitator's tab is elsewhere): the note stays kept.
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import BrainstormSession
    from community.extensions import db

    with live_server.app.test_request_context():
        session = db.session.get(BrainstormSession, int(url.rsplit("/", 1)[1]))
        brainstorms.advance_phase(session, by=session.facilitator)
        brainstorms.advance_phase(session, by=session.facilitator)
        db.session.commit()
    expect(shared.locator("[data-draft]")).to_contain_text("只写给自己")
    shared.screenshot(path="test-results/board-draft-kept-zh-desktop.png", full_page=True)
    shared.set_viewport_size({"width": 390, "height": 900})
    shared.screenshot(path="test-results/board-draft-kept-zh-phone.png", full_page=True)
    shared.set_viewport_size({"width": 1280, "height": 900})
    # Anna signs out on this shared computer; Ben signs in on it and opens the same board.
    shared.get_by_test_id("account-menu").click()
    shared.get_by_role("button", name="退出登录").click()
    shared.wait_for_url("**/")
    assert _draft_keys(shared) == []
    sign_in(shared, ben.username)
    shared.goto(url)
    expect(shared.locator("#note-text")).to_have_value("")
    shared.context.close()


@pytest.fixture(autouse=True)
def _results_dir():
    import os

    os.makedirs("test-results", exist_ok=True)
