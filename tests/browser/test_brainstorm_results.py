"""Voting a participant can read: the per-item "+" stops at the per-item limit (as it does
when the participant's dots run out), and with hidden totals (the default) a participant sees
only their own dots while the facilitator sees the running totals; in English and Chinese, at
desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.permissions import Role

NOTES = ("Import in one click", "A guided tour")


def _voting_session(live_server, live_user, live_space, live_session, locale: str):
    from community.brainstorms import notes as board_notes
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import BrainstormSession
    from community.extensions import db

    tag = locale[:2]
    mod = live_user(role=Role.MODERATOR, display_name=f"Fay Facilitator {tag}", locale=locale)
    voter = live_user(display_name=f"Vic Voter {tag}", locale=locale)
    other = live_user(display_name=f"Olga Other {tag}", locale=locale)
    slug = live_space(mod, name=f"Results Lab {tag}", slug=f"results-lab-{tag}")
    session_id = live_session(
        mod,
        (voter, other),
        slug=slug,
        prompt="What slows down your first week?",
        hidden_ideation=False,
        dots_per_participant=5,
        dots_per_item=2,
    )
    with live_server.app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        facilitator = db.session.get(type(mod), mod.id)
        brainstorms.advance_phase(session, by=facilitator)  # ideate
        for text in NOTES:
            board_notes.add_note(session, author=facilitator, text=text)
        brainstorms.advance_phase(session, by=facilitator)  # group
        brainstorms.advance_phase(session, by=facilitator)  # vote
        db.session.commit()
    return mod, voter, other, slug, f"/sessions/{session_id}"


def _page(browser, base_url, sign_in, user, url, width=1280):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, user.username)
    page.goto(url)
    expect(page.locator("[data-status]")).to_be_hidden()
    return page


def _note(page, text):
    return page.locator(".sticky-note", has_text=text)


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_dots_stop_at_the_item_limit_and_totals_stay_hidden(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in, locale
):
    mod, voter, other, slug, url = _voting_session(
        live_server, live_user, live_space, live_session, locale
    )
    host = _page(browser, base_url, sign_in, mod, url)
    voting = _page(browser, base_url, sign_in, voter, url)
    watching = _page(browser, base_url, sign_in, other, url)
    expect(voting.locator("[data-dots-left]")).to_have_text("5")

    plus = _note(voting, NOTES[0]).locator(".dot-button").first
    plus.click()
    expect(voting.locator("[data-dots-left]")).to_have_text("4")
    expect(plus).to_be_enabled()
    plus.click()
    expect(voting.locator("[data-dots-left]")).to_have_text("3")
    # Two dots on one item is the limit: its "+" is off, the other item's is not.
    expect(plus).to_be_disabled()
    expect(_note(voting, NOTES[1]).locator(".dot-button").first).to_be_enabled()
    watching_plus = _note(watching, NOTES[0]).locator(".dot-button").first
    watching_plus.click()
    expect(watching.locator("[data-dots-left]")).to_have_text("4")

    # The facilitator sees the running total; participants see only their own dots.
    expect(_note(host, NOTES[0]).locator(".dot-count")).to_contain_text("● 3")
    expect(_note(voting, NOTES[0]).locator(".dot-count")).to_contain_text("● 2")
    expect(_note(watching, NOTES[0]).locator(".dot-count")).to_contain_text("● 1")
    expect(_note(watching, NOTES[0]).locator(".dot-count")).not_to_contain_text("3")

    for width in (1280, 390):
        voting.set_viewport_size({"width": width, "height": 900})
        voting.screenshot(path=f"test-results/board-vote-{locale}-{width}.png", full_page=True)
    host.screenshot(path=f"test-results/board-vote-host-{locale}.png", full_page=True)

    # Taking a dot back turns the "+" on again.
    _note(voting, NOTES[0]).locator(".dot-button").nth(1).click()
    expect(voting.locator("[data-dots-left]")).to_have_text("4")
    expect(plus).to_be_enabled()

    # The vote closes: everyone sees the scores.
    host.locator("[data-advance]").click()
    host.locator("[data-confirm-ok]").click()  # the clock still runs: asked in the page
    first = watching.locator(".result-item").first
    expect(first).to_contain_text(NOTES[0])
    expect(first.locator(".result-dots")).to_have_text("● 2")

    if locale == "en":
        # The setting is chosen when the session is made.
        host.goto(f"/s/{slug}/sessions/new")
        expect(host.get_by_label("Dot totals")).to_have_value("hidden")
        host.get_by_label("Dot totals").select_option(label="Live while voting")
