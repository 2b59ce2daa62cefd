"""The facilitator's room, in three browsers: a facilitator in Shanghai schedules a session in
their own time, a participant in Los Angeles sees that start in theirs; the lobby says who is
here and that they wait for the facilitator, with no "I'm done"; the link copies; when the hard
timer runs out the composer closes (keeping the text) and extending reopens it; a cluster is
renamed in place; and when the facilitator drops out the participant sees it and a moderator
takes over."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from community.permissions import Role


def _people(live_server, live_user, live_space, locale: str):
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    tag = locale[:2]
    host = live_user(role=Role.MODERATOR, display_name=f"Fay Facilitator {tag}", locale=locale)
    anna = live_user(display_name=f"Anna Attendee {tag}", locale=locale)
    mo = live_user(role=Role.MODERATOR, display_name=f"Mo Moderator {tag}", locale=locale)
    slug = live_space(host, name=f"Room Lab {tag}", slug=f"room-lab-{tag}")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in (anna, mo):
            spaces.join_space(space, db.session.get(type(person), person.id))
        db.session.commit()
    return host, anna, mo, slug


def _page(browser, base_url, sign_in, user, zone: str, width: int = 1280):
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": 900}, timezone_id=zone
    )
    page = context.new_page()
    page.dialogs = []  # every dialog is accepted and its kind kept: no prompt() for renaming
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.type), dialog.accept()))
    sign_in(page, user.username)
    return page


def _run_out(live_server, session_id: int) -> None:
    """The phase's time ran out a moment ago by the server's clock: the boards are told, as
    when the facilitator changes the clock (no waiting for a real minute)."""
    from community import signals
    from community.brainstorms import operations
    from community.brainstorms.models import BrainstormSession
    from community.database import utcnow
    from community.extensions import db

    with live_server.app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        operations.bump(session)
        session.phase_ends_at = utcnow() - timedelta(seconds=1)
        db.session.flush()
        signals.brainstorm_phase_changed.send(session, old=session.phase, by=None)
        db.session.commit()


def _shoot(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"test-results/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_facilitators_room(
    browser, base_url, live_server, live_user, live_space, sign_in, locale
):
    from community.brainstorms.models import BrainstormSession
    from community.database import utcnow
    from community.extensions import db

    host_user, anna_user, mo_user, slug = _people(live_server, live_user, live_space, locale)
    en = locale == "en"

    # The facilitator, in Shanghai, schedules the session at 09:00 their time in 20 days.
    host = _page(browser, base_url, sign_in, host_user, "Asia/Shanghai")
    host.context.grant_permissions(["clipboard-read", "clipboard-write"])
    host.goto(f"/s/{slug}/sessions/new")
    shanghai = ZoneInfo("Asia/Shanghai")
    day = (utcnow().astimezone(shanghai) + timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    host.locator("#prompt").fill("What slows down your first week?")
    host.locator("#scheduled_for").fill(day.strftime("%Y-%m-%dT%H:%M"))
    host.locator("main form.card button[type=submit]").click()
    host.wait_for_url(re.compile(r"/sessions/\d+$"))
    url = host.url
    session_id = int(url.rsplit("/", 1)[1])
    with live_server.app.app_context():
        stored = db.session.get(BrainstormSession, session_id).scheduled_for
    assert stored == day  # the same moment, kept in UTC

    # The participant, in Los Angeles, sees that start in their own time.
    anna = _page(browser, base_url, sign_in, anna_user, "America/Los_Angeles")
    anna.goto(url)
    lobby = anna.locator("[data-lobby]")
    expect(lobby).to_be_visible()
    la = day.astimezone(ZoneInfo("America/Los_Angeles"))
    if en:
        hour = la.strftime("%I").lstrip("0")
        expect(lobby.locator("time")).to_have_text(
            re.compile(rf"{la.strftime('%b')} {la.day}, {la.year}, {hour}:00\s?{la.strftime('%p')}")
        )
        expect(anna.locator("[data-lobby-message]")).to_have_text(
            "Waiting for the facilitator to start the session."
        )
    else:
        expect(lobby.locator("time")).to_contain_text(f"{la.month}月{la.day}日")
    expect(anna.locator("[data-lobby-people]")).to_contain_text(host_user.display_name)
    expect(anna.locator("[data-done]")).to_be_hidden()
    expect(host.locator("[data-lobby-people]")).to_contain_text(anna_user.display_name)
    expect(host.locator("[data-done]")).to_be_hidden()
    _shoot(anna, f"room-lobby-{locale}")

    # The link copies (and is selected, where the clipboard is not allowed).
    host.locator("[data-copy='#board-link']").click()
    assert host.evaluate("navigator.clipboard.readText()") == url
    assert host.evaluate("document.activeElement.id") == "board-link"

    # The settings page, from the board: the start shows in the facilitator's own time, and
    # saving it unchanged changes nothing.
    host.locator("[data-facilitator] a[href$='/settings']").click()
    expect(host.locator("#scheduled_for")).to_have_value(day.strftime("%Y-%m-%dT%H:%M"))
    expect(host.locator("#ideate_minutes")).to_be_enabled()
    _shoot(host, f"room-settings-{locale}")
    host.locator("main form.card button[type=submit]").click()
    host.wait_for_url(url)
    with live_server.app.app_context():
        assert db.session.get(BrainstormSession, session_id).scheduled_for == day

    # Ideation starts; the hard timer runs out: the composer closes and keeps the text.
    host.locator("[data-advance]").click()
    composer = anna.locator("#note-text")
    expect(anna.locator("[data-add-note]")).to_be_enabled()
    expect(anna.locator("[data-done]")).to_be_visible()
    composer.fill("Laptops arrive late")
    _run_out(live_server, session_id)
    expect(anna.locator("[data-add-note]")).to_be_disabled()
    expect(anna.locator("[data-time-up-hint]")).to_be_visible()
    if en:
        expect(anna.locator("[data-countdown]")).to_have_text("Time is up")
        expect(anna.locator("[data-time-up-hint]")).to_contain_text(
            "Time is up: new notes are closed until the facilitator extends the phase."
        )
    expect(composer).to_have_value("Laptops arrive late")
    _shoot(anna, f"room-time-up-{locale}")
    # Extending reopens it.
    host.locator("[data-extend]").click()
    expect(anna.locator("[data-add-note]")).to_be_enabled()
    expect(anna.locator("[data-time-up-hint]")).to_be_hidden()
    anna.locator("[data-add-note]").click()
    expect(anna.locator(".sticky-note", has_text="Laptops arrive late")).to_be_visible()

    # Grouping: the cluster is renamed in place (Escape cancels, Enter saves).
    host.locator("[data-advance]").click()
    host.locator("[data-confirm-ok]").click()  # the clock still runs: asked in the page
    host.locator("#cluster-name").fill("Hardware")
    host.locator("[data-cluster-composer] button[type=submit]").click()
    column = host.locator(".cluster-col").first
    expect(column.locator(".cluster-name")).to_have_text("Hardware")
    column.locator("[data-rename]").click()
    field = column.locator("input.cluster-rename")
    expect(field).to_be_focused()
    field.fill("Something else")
    field.press("Escape")
    expect(column.locator(".cluster-name")).to_have_text("Hardware")
    column.locator("[data-rename]").click()
    column.locator("input.cluster-rename").fill("Day-one hardware")
    column.locator("input.cluster-rename").press("Enter")
    expect(anna.locator(".cluster-col .cluster-name").first).to_have_text("Day-one hardware")
    expect(column.locator(".cluster-name")).to_have_text("Day-one hardware")
    assert "prompt" not in host.dialogs

    # The facilitator drops out: the participant sees it; a moderator takes over.
    mo = _page(browser, base_url, sign_in, mo_user, "UTC")
    mo.goto(url)
    expect(mo.locator("[data-presence-count]").first).to_have_text("3")
    expect(anna.locator("[data-facilitator-away]")).to_be_hidden()
    host.context.close()
    expect(anna.locator("[data-facilitator-away]")).to_be_visible()
    expect(anna.locator("[data-take-over]")).to_be_hidden()  # not a moderator
    _shoot(anna, f"room-away-{locale}")
    mo.locator("[data-take-over]").click()
    expect(mo.locator("[data-facilitator]")).to_be_visible()
    expect(anna.locator("[data-facilitator-away]")).to_be_hidden()
    if en:
        expect(anna.locator("[data-facilitated-by]")).to_have_text(
            f"Facilitated by {mo_user.display_name}"
        )

    # The new facilitator closes the session: no "I'm done" any more.
    for _phase in ("vote", "results", "closed"):
        mo.locator("[data-advance]").click()
        mo.locator("[data-confirm-ok]").click()  # time left, or not everyone is done
        expect(anna.locator(f"[data-phase-step={_phase}]")).to_have_class(re.compile("current"))
    expect(anna.locator("[data-done]")).to_be_hidden()
    _shoot(mo, f"room-closed-{locale}")
    mo.goto(f"/s/{slug}/sessions")
    past = mo.locator("#sessions-past + ul .session-row").first
    expect(past.locator("time")).to_have_count(2)  # started, closed
    _shoot(mo, f"room-list-{locale}")
