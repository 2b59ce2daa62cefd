"""A board that misses a live update catches up by itself: one update is dropped on its way
to a participant's browser, the next one reveals the gap, and the board asks for the patches
since its revision and shows the lost note — without a reload. Duplicated and reordered
updates are applied once, in order."""

from __future__ import annotations

import re

from playwright.sync_api import WebSocketRoute, expect

from community.permissions import Role


def test_a_missed_update_is_noticed_and_the_board_catches_up(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import BrainstormSession
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    mod = live_user(role=Role.MODERATOR, display_name="Fay Facilitator")
    author = live_user(display_name="Abe Author")
    watcher = live_user(display_name="Wen Watcher")
    slug = live_space(mod, name="Convergence Lab", slug="convergence-lab")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in (author, watcher):
            spaces.join_space(space, db.session.get(type(person), person.id))
        session = brainstorms.create_session(
            space,
            by=db.session.get(type(mod), mod.id),
            prompt="What would make reports faster?",
            hidden_ideation=False,
        )
        brainstorms.advance_phase(session, by=db.session.get(type(mod), mod.id))
        db.session.commit()
        url = f"/sessions/{session.id}"
        session_id = session.id

    # The watcher's browser loses the one update that carries the first note.
    dropped, asked = [], []

    def lose_one_update(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_server(message) -> None:
            if isinstance(message, str) and '"since"' in message:
                asked.append(message)
            server.send(message)

        ws.on_message(to_server)

        def to_page(message) -> None:
            if not dropped and isinstance(message, str) and "Lost on the way" in message:
                dropped.append(message)
                return
            ws.send(message)

        server.on_message(to_page)

    watching = browser.new_context(base_url=base_url).new_page()
    sign_in(watching, watcher.username)
    watching.route_web_socket(re.compile(r".*/socket\.io/.*"), lose_one_update)
    watching.goto(url)
    expect(watching.locator(".phase-step.current")).to_have_text("Ideate")

    writing = browser.new_context(base_url=base_url).new_page()
    sign_in(writing, author.username)
    writing.goto(url)
    writing.get_by_label("Your note").fill("Lost on the way")
    writing.get_by_role("button", name="Add note").click()
    expect(writing.locator(".sticky-note", has_text="Lost on the way")).to_be_visible()
    for _ in range(50):  # the route's callbacks run while Playwright waits
        if dropped:
            break
        watching.wait_for_timeout(100)
    assert len(dropped) == 1
    expect(watching.locator(".sticky-note", has_text="Lost on the way")).to_have_count(0)

    # The next update comes two revisions on: the board notices, waits a moment for the
    # missing one, then asks for what it missed.
    writing.get_by_label("Your note").fill("Right behind it")
    writing.get_by_role("button", name="Add note").click()
    expect(watching.locator(".sticky-note", has_text="Right behind it")).to_be_visible()
    expect(watching.locator(".sticky-note", has_text="Lost on the way")).to_be_visible(
        timeout=5_000
    )
    expect(watching.locator(".sticky-note")).to_have_count(2)
    assert asked  # the patches since its revision, not the whole board
    with live_server.app.app_context():
        assert db.session.get(BrainstormSession, session_id).revision >= 4
    watching.context.close()
    writing.context.close()


def test_duplicated_and_reordered_updates_are_applied_once_in_order(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    """The watcher's browser gets the update with a note's first version twice (once more
    after the second version), and the next two updates swapped: it shows each note once, in
    its latest version."""
    from community.brainstorms import operations as brainstorms
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    mod = live_user(role=Role.MODERATOR, display_name="Fay Order")
    author = live_user(display_name="Abe Order")
    watcher = live_user(display_name="Wen Order")
    slug = live_space(mod, name="Order Lab", slug="order-lab")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for person in (author, watcher):
            spaces.join_space(space, db.session.get(type(person), person.id))
        session = brainstorms.create_session(
            space,
            by=db.session.get(type(mod), mod.id),
            prompt="What would make exports clearer?",
            hidden_ideation=False,
        )
        brainstorms.advance_phase(session, by=db.session.get(type(mod), mod.id))
        db.session.commit()
        url = f"/sessions/{session.id}"

    first_version, held = [], []

    def mangle(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message) -> None:
            if not isinstance(message, str) or '"update"' not in message:
                ws.send(message)
                return
            if "Version one" in message:
                first_version.append(message)
            if "Held back" in message and not held:
                held.append(message)  # sent after the next one
                return
            ws.send(message)
            if "Version two" in message:
                ws.send(first_version[0])  # an old update, again
            if held and "Overtaking" in message:
                ws.send(held[0])

        server.on_message(to_page)

    watching = browser.new_context(base_url=base_url).new_page()
    sign_in(watching, watcher.username)
    watching.route_web_socket(re.compile(r".*/socket\.io/.*"), mangle)
    watching.goto(url)
    expect(watching.locator(".phase-step.current")).to_have_text("Ideate")

    writing = browser.new_context(base_url=base_url).new_page()
    sign_in(writing, author.username)
    writing.goto(url)
    writing.get_by_label("Your note").fill("Version one")
    writing.get_by_role("button", name="Add note").click()
    expect(watching.locator(".sticky-note", has_text="Version one")).to_be_visible()
    card = writing.locator(".sticky-note", has_text="Version one")
    card.get_by_role("button", name="Edit").click()
    writing.locator(".sticky-editor").fill("Version two")
    writing.locator(".sticky-editor").press("Enter")
    expect(watching.locator(".sticky-note", has_text="Version two")).to_be_visible()
    for text in ("Held back", "Overtaking"):
        writing.get_by_label("Your note").fill(text)
        writing.get_by_role("button", name="Add note").click()
        expect(writing.locator(".sticky-note", has_text=text)).to_be_visible()
    expect(watching.locator(".sticky-note", has_text="Held back")).to_be_visible()
    expect(watching.locator(".sticky-text")).to_have_text(
        ["Version two", "Held back", "Overtaking"]
    )
    assert held and first_version
    watching.context.close()
    writing.context.close()
