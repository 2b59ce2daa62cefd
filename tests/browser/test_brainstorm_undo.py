"""Confirm first, undo after: a participant deletes a note (asked in the page, not by the
browser), sees "Undo" and takes it back; the facilitator ends ideation early and takes that
back; a merge is confirmed and the facilitator splits it back from the cluster ("Undo merge by
…"); a dissolved cluster comes back. A second participant's board shows each change and each
undo in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.permissions import Role

WIDTHS = {"desktop": 1280, "phone": 390}


def _session(live_user, live_space, live_session, locale: str, hidden: bool = False):
    tag = locale[:2]
    mod = live_user(role=Role.MODERATOR, display_name=f"Fay Facilitator {tag}", locale=locale)
    anna = live_user(display_name=f"Anna Undo {tag}", locale=locale)
    ben = live_user(display_name=f"Ben Watcher {tag}", locale=locale)
    slug = live_space(
        mod, name=f"Undo Lab {tag}{' hidden' if hidden else ''}", slug=f"undo-lab-{tag}-{hidden:d}"
    )
    session_id = live_session(
        mod,
        (anna, ben),
        slug=slug,
        prompt="What would make setup painless?",
        hidden_ideation=hidden,
    )
    return mod, anna, ben, f"/sessions/{session_id}"


def _page(browser, base_url, sign_in, user, url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, user.username)
    page.goto(url)
    expect(page.locator("[data-status]")).to_be_hidden()
    return page


def _shots(page, name: str, locale: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"test-results/board-undo-{name}-{locale}-{label}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def _add_note(page, text: str) -> None:
    page.locator("#note-text").fill(text)
    page.locator("[data-add-note]").click()
    expect(page.locator(".sticky-note", has_text=text)).to_be_visible()


def _column(page, name: str):
    return page.locator(".cluster-col", has=page.locator(".cluster-name", has_text=name))


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_confirm_then_undo_delete_merge_dissolve_and_early_end(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in, locale
):
    mod, anna, ben, url = _session(live_user, live_space, live_session, locale)
    host = _page(browser, base_url, sign_in, mod, url)
    writer = _page(browser, base_url, sign_in, anna, url)
    watcher = _page(browser, base_url, sign_in, ben, url)
    expect(host.locator("[data-presence-count]").first).to_have_text("3")
    host.locator("[data-advance]").click()  # out of the lobby: nothing to ask
    expect(watcher.locator(".phase-step.current")).to_have_attribute("data-phase-step", "ideate")

    # Deleting a note asks in the page first; "Cancel" keeps it.
    for text in ("Import from a spreadsheet", "A setup checklist", "Sample data"):
        _add_note(writer, text)
    expect(watcher.locator(".sticky-note")).to_have_count(3)
    note = writer.locator(".sticky-note", has_text="A setup checklist")
    note.locator("[data-action=delete]").click()
    dialog = writer.locator("[data-confirm-dialog]")
    expect(dialog).to_be_visible()
    _shots(writer, "confirm-delete", locale)
    writer.locator("[data-confirm-cancel]").click()
    expect(dialog).to_be_hidden()
    expect(watcher.locator(".sticky-note")).to_have_count(3)

    # Confirmed, it leaves every board; "Undo" brings it back to every board, in place.
    note.locator("[data-action=delete]").click()
    writer.locator("[data-confirm-ok]").click()
    expect(watcher.locator(".sticky-note", has_text="A setup checklist")).to_have_count(0)
    bar = writer.locator("[data-undo-bar]")
    expect(bar).to_be_visible()
    _shots(writer, "undo-bar", locale)
    writer.locator("[data-undo]").click()
    expect(bar).to_be_hidden()
    expect(watcher.locator(".sticky-note", has_text="A setup checklist")).to_be_visible()
    expect(writer.locator(".sticky-note", has_text="A setup checklist")).to_be_visible()

    # The facilitator ends ideation while its clock runs: asked, then taken back.
    host.locator("[data-advance]").click()
    expect(host.locator("[data-confirm-dialog]")).to_be_visible()
    _shots(host, "confirm-early-end", locale)
    host.locator("[data-confirm-ok]").click()
    expect(watcher.locator(".phase-step.current")).to_have_attribute("data-phase-step", "group")
    host.locator("[data-undo]").click()
    expect(watcher.locator(".phase-step.current")).to_have_attribute("data-phase-step", "ideate")
    expect(watcher.locator("[data-countdown]")).not_to_have_text("–")
    host.locator("[data-advance]").click()
    host.locator("[data-confirm-ok]").click()
    expect(writer.locator(".phase-step.current")).to_have_attribute("data-phase-step", "group")

    # Grouping: two clusters, each with notes.
    for name in ("Setup", "Data"):
        writer.locator("#cluster-name").fill(name)
        writer.locator("[data-cluster-composer] button[type=submit]").click()
        expect(_column(watcher, name)).to_be_visible()
    for text, name in (
        ("Import from a spreadsheet", "Data"),
        ("Sample data", "Data"),
        ("A setup checklist", "Setup"),
    ):
        writer.locator(".sticky-note", has_text=text).locator(".sticky-move").select_option(
            label=name
        )
        expect(_column(watcher, name).locator(".sticky-note", has_text=text)).to_be_visible()

    # A merge is confirmed first; the facilitator splits it back from the cluster.
    _column(writer, "Data").locator("[data-merge]").select_option(label="Setup")
    expect(writer.locator("[data-confirm-text]")).to_contain_text("Data")
    writer.locator("[data-confirm-ok]").click()
    expect(_column(watcher, "Data")).to_have_count(0)
    expect(_column(watcher, "Setup").locator(".sticky-note")).to_have_count(3)
    split = _column(host, "Setup").locator("[data-split-back]")
    expect(split).to_contain_text(f"Anna Undo {locale[:2]}")
    _shots(host, "split-back", locale)
    split.click()
    expect(_column(watcher, "Data").locator(".sticky-note")).to_have_count(2)
    expect(_column(watcher, "Setup").locator(".sticky-note")).to_have_count(1)
    expect(_column(host, "Setup").locator("[data-split-back]")).to_have_count(0)
    expect(_column(writer, "Setup").locator("[data-split-back]")).to_have_count(0)

    # Dissolving: its notes go back to the unsorted ones, and "Undo" brings the cluster back.
    _column(writer, "Data").locator("[data-dissolve]").click()
    writer.locator("[data-confirm-ok]").click()
    expect(_column(watcher, "Data")).to_have_count(0)
    unsorted = watcher.locator(".cluster-col.unclustered .sticky-note")
    expect(unsorted).to_have_count(2)
    writer.locator("[data-undo]").click()
    expect(_column(watcher, "Data").locator(".sticky-note")).to_have_count(2)
    expect(unsorted).to_have_count(0)
    _shots(watcher, "board-after-undo", locale)


def test_taking_back_an_early_end_hides_the_notes_again(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in
):
    mod, anna, ben, url = _session(live_user, live_space, live_session, "en", hidden=True)
    host = _page(browser, base_url, sign_in, mod, url)
    writer = _page(browser, base_url, sign_in, anna, url)
    watcher = _page(browser, base_url, sign_in, ben, url)
    expect(host.locator("[data-presence-count]").first).to_have_text("3")
    host.locator("[data-advance]").click()
    _add_note(writer, "Only Anna sees this")
    _add_note(watcher, "Only Ben sees this")
    expect(watcher.locator(".sticky-note")).to_have_count(1)
    host.locator("[data-advance]").click()
    host.locator("[data-confirm-ok]").click()
    expect(watcher.locator(".sticky-note")).to_have_count(2)  # grouping shows every note
    host.locator("[data-undo]").click()
    expect(watcher.locator(".phase-step.current")).to_have_attribute("data-phase-step", "ideate")
    expect(watcher.locator(".sticky-note")).to_have_count(1)
    expect(watcher.locator(".sticky-note")).to_contain_text("Only Ben sees this")
    expect(writer.locator(".sticky-note")).to_have_count(1)
    expect(watcher.locator("[data-hidden-hint]")).to_contain_text("Notes on the board so far: 2")
