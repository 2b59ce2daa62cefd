"""Flagging a brainstorm note in a browser: a customer flags another's note from the live
board through its dialog; the space's moderator flags it too, which hides it at once on every
open board; the moderator approves it from the queue with a reason, and it comes back live."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role

SPAM = "Visit my consultancy for onboarding secrets"


def _session_with_a_note(live_server, mod, author, flagger, slug: str) -> tuple[int, int]:
    from community.accounts.models import User
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import Phase
    from community.brainstorms.notes import add_note
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in (author, flagger):
            spaces.join_space(space, db.session.get(User, person.id))
        host = db.session.get(User, mod.id)
        session = brainstorms.create_session(
            space, by=host, prompt="What slows your first week down?", hidden_ideation=False
        )
        brainstorms.advance_phase(session, by=host)
        note = add_note(session, author=db.session.get(User, author.id), text=SPAM)
        add_note(session, author=host, text="Too many settings on day one")
        while session.current_phase != Phase.GROUP:
            brainstorms.advance_phase(session, by=host)
        db.session.commit()
        return session.id, note.id


def test_a_flagged_note_leaves_every_board_until_approved(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Nora Notes-Mod")
    author = live_user(display_name="Pete Promoter")
    flagger = live_user(display_name="Fay Flagger")
    slug = live_space(mod, name="First week BT", slug="first-week-bt")
    session_id, note_id = _session_with_a_note(live_server, mod, author, flagger, slug)

    member = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    board = member.new_page()
    sign_in(board, flagger.username)
    board.goto(f"/sessions/{session_id}")
    note = board.locator(f"[data-note-id='{note_id}']")
    expect(note).to_contain_text(SPAM)
    note.get_by_role("button", name=f"Flag for moderators: {SPAM}").click()
    dialog = board.locator("[data-flag-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-flag-quote]")).to_have_text(SPAM)
    dialog.get_by_role("button", name="Flag", exact=True).click()  # no reason chosen
    expect(dialog.locator("[data-flag-error]")).to_contain_text("Choose why")
    dialog.get_by_label("Spam").check()
    dialog.get_by_label("Anything the moderators should know?").fill("An advert, not an idea")
    board.screenshot(path="test-results/note-flag-dialog.png")
    dialog.get_by_role("button", name="Flag", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(board.get_by_text("Thanks. The moderators will take a look.")).to_be_visible()
    expect(note.get_by_role("button", name=f"Flagged: {SPAM}")).to_be_disabled()

    staff = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    host = staff.new_page()
    sign_in(host, mod.username)
    host.goto(f"/sessions/{session_id}")
    host.locator(f"[data-note-id='{note_id}']").get_by_role(
        "button", name=f"Flag for moderators: {SPAM}"
    ).click()
    host.locator("[data-flag-dialog]").get_by_label("Off-topic").check()
    host.locator("[data-flag-dialog]").get_by_role("button", name="Flag", exact=True).click()
    # A moderator's flag hides the note at once, on every open board.
    expect(board.locator(f"[data-note-id='{note_id}']")).to_have_count(0)
    expect(host.locator(f"[data-note-id='{note_id}']")).to_have_count(0)
    expect(board.locator(".sticky-note")).to_have_count(1)

    host.goto(f"/s/{slug}/moderation")
    case = host.get_by_test_id(f"case-note-{note_id}")
    expect(case).to_contain_text("2 flags")
    case.click()
    expect(host.get_by_text(SPAM)).to_be_visible()
    expect(host.get_by_test_id("case-hidden")).to_be_visible()
    host.screenshot(path="test-results/note-flag-case.png", full_page=True)
    approve = host.get_by_test_id("approve-form")
    approve.get_by_label("Reason").fill("A real pain point, badly worded")
    approve.get_by_role("button", name="Approve").click()
    expect(host.get_by_text("Approved: the flags are dismissed.")).to_be_visible()

    expect(board.locator(f"[data-note-id='{note_id}']")).to_contain_text(SPAM)
    member.close()
    staff.close()
