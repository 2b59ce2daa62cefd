"""A moderator plans a session and runs it with two customers, each in a browser of their own:
the customers' notes stay hidden while ideating (the others see only how many there are) and
appear live on every board when grouping starts; the facilitator pauses and resumes the clock,
groups two notes into a named cluster, the customers put dots on it, it comes first in the
results, and the facilitator promotes it to an idea that credits the customer — which the
other customer's open board shows at once."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.permissions import Role

NOTES = [
    "Let new customers import their old projects in one click",
    "A guided tour of the first report",
    "Show a sample workspace instead of an empty page",
]


def test_a_live_session_from_lobby_to_results(
    browser, base_url, live_user, live_space, sign_in, tmp_path
):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    customer = live_user(display_name="Casey Customer")
    second = live_user(display_name="Dana Designer")
    slug = live_space(mod, name="Onboarding", slug="onboarding-bt")

    facilitator = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    host = facilitator.new_page()
    sign_in(host, mod.username)
    host.goto(f"/s/{slug}")
    host.locator(".space-tabs").get_by_role("link", name="Sessions").click()
    host.get_by_role("link", name="New session").click()
    host.get_by_label("Prompt").fill("How could onboarding be faster?")
    host.get_by_label("Ideate (minutes)").fill("8")
    host.get_by_role("button", name="Create session").click()
    expect(host.get_by_role("heading", name="How could onboarding be faster?")).to_be_visible()
    session_url = host.url
    expect(host.locator("[data-presence-count]").first).to_have_text("1")

    guest = browser.new_context(base_url=base_url).new_page()
    sign_in(guest, customer.username)
    guest.goto(f"/s/{slug}")
    guest.get_by_role("button", name="Join space").click()
    guest.goto(session_url)
    expect(host.locator("[data-presence-count]").first).to_have_text("2")

    third_context = browser.new_context(base_url=base_url)
    third = third_context.new_page()
    sign_in(third, second.username)
    third.goto(f"/s/{slug}")
    third.get_by_role("button", name="Join space").click()
    third.goto(session_url)
    expect(host.locator("[data-presence-count]").first).to_have_text("3")
    expect(host.locator("[data-people]")).to_contain_text("Dana Designer")

    host.get_by_role("button", name="Next phase").click()
    expect(guest.locator(".phase-step.current")).to_have_text("Ideate")
    expect(guest.locator("[data-countdown]")).to_have_text("8:00", timeout=5_000)

    # The facilitator pauses the clock for everyone, then starts it again.
    host.get_by_role("button", name="Pause the clock").click()
    expect(third.locator("[data-countdown]")).to_have_text(re.compile(r"^Paused (8:00|7:5\d)$"))
    expect(guest.locator("[data-countdown]")).to_contain_text("Paused")
    host.get_by_role("button", name="Resume the clock").click()
    expect(third.locator("[data-countdown]")).to_have_text(re.compile(r"^(8:00|7:[45]\d)$"))

    for text in NOTES:
        guest.get_by_label("Your note").fill(text)
        guest.get_by_role("button", name="Add note").click()
        expect(guest.locator(".sticky-note", has_text=text)).to_be_visible()
    host.get_by_label("Your note").fill("Fewer fields on the sign-up form")
    host.get_by_role("button", name="Add note").click()
    expect(host.locator(".sticky-note")).to_have_count(1)  # the customer's stay hidden
    # The others learn how many notes there are, not what they say.
    expect(third.locator("[data-hidden-hint]")).to_contain_text("Notes on the board so far: 4")
    expect(third.locator(".sticky-note")).to_have_count(0)
    guest.get_by_role("button", name="I'm done").click()
    expect(host.locator("[data-done-count]")).to_have_text("1")

    # Not everyone is done (the facilitator is not): moving on asks first.
    host.get_by_role("button", name="Next phase").click()
    host.locator("[data-confirm-ok]").click()  # the clock still runs: asked in the page
    expect(host.locator(".phase-step.current")).to_have_text("Group")
    for text in NOTES:
        expect(host.locator(".sticky-note", has_text=text)).to_contain_text("Casey Customer")
    expect(host.locator(".sticky-note")).to_have_count(4)
    expect(third.locator(".sticky-note")).to_have_count(4)

    # A reload (a reconnect) draws the full state again.
    guest.reload()
    expect(guest.locator(".sticky-note")).to_have_count(4)
    expect(guest.locator(".phase-step.current")).to_have_text("Group")

    # Group: a named cluster; one note dragged onto it, one moved with the keyboard fallback.
    host.get_by_label("Cluster name").fill("Faster setup")
    host.get_by_role("button", name="Add cluster").click()
    cluster = host.locator(".cluster-col", has=host.get_by_role("heading", name="Faster setup"))
    expect(cluster).to_be_visible()
    guest_cluster = guest.locator(
        ".cluster-col", has=guest.get_by_role("heading", name="Faster setup")
    )
    expect(guest_cluster).to_be_visible()
    host.locator(".sticky-note", has_text=NOTES[0]).drag_to(cluster)
    expect(cluster.locator(".sticky-note", has_text=NOTES[0])).to_be_visible()
    host.locator(".sticky-note", has_text=NOTES[2]).get_by_label("Move to…").select_option(
        label="Faster setup"
    )
    expect(cluster.locator(".sticky-note")).to_have_count(2)
    expect(guest_cluster.locator(".sticky-note")).to_have_count(2)
    host.screenshot(path="test-results/brainstorm-group.png", full_page=True)

    # Vote: the customer puts a dot on the cluster.
    host.get_by_role("button", name="Next phase").click()
    host.locator("[data-confirm-ok]").click()  # the clock still runs: asked in the page
    expect(guest.locator(".phase-step.current")).to_have_text("Vote")
    guest.get_by_role("button", name="Add a dot: Faster setup").click()
    expect(guest.locator("[data-dots-left]")).to_have_text("4")
    third.get_by_role("button", name="Add a dot: Faster setup").click()
    expect(third.locator("[data-dots-left]")).to_have_text("4")
    expect(cluster.locator(".dot-count").first).to_contain_text("2")

    # Results: the cluster first, with its notes.
    host.get_by_role("button", name="Next phase").click()
    host.locator("[data-confirm-ok]").click()  # the clock still runs: asked in the page
    expect(host.locator(".phase-step.current")).to_have_text("Results")
    first = guest.locator(".result-item").first
    expect(first).to_contain_text("Faster setup")
    expect(first).to_contain_text(NOTES[0])
    expect(host.locator(".result-item").first).to_contain_text("Faster setup")
    host.screenshot(path=str(tmp_path / "board.png"), full_page=True)
    host.screenshot(path="test-results/brainstorm-results.png", full_page=True)
    expect(guest.get_by_role("link", name="CSV")).to_be_visible()  # exports appear live
    expect(guest.get_by_role("link", name="Promote to idea")).to_have_count(0)

    # Promote the winning cluster: a prefilled form, then the idea page links back.
    host.locator(".result-item").first.get_by_role("link", name="Promote to idea").click()
    expect(host.get_by_label("Idea title")).to_have_value("Faster setup")
    expect(host.get_by_label("Describe it")).to_contain_text(NOTES[0])
    host.get_by_role("button", name="Post idea").click()
    expect(host.get_by_role("heading", name="Faster setup")).to_be_visible()
    origin = host.locator(".brainstorm-origin")
    expect(origin).to_contain_text("From brainstorming session How could onboarding be faster?")
    expect(origin).to_contain_text("Casey Customer")
    host.screenshot(path="test-results/brainstorm-promoted-idea.png", full_page=True)
    idea_number = host.url.rstrip("/").rsplit("/", 1)[1]
    # The other customer's open board shows the new idea without a reload.
    expect(third.locator(".result-item").first).to_contain_text(f"Promoted to idea #{idea_number}")
    host.goto(session_url)
    expect(host.locator(".result-item").first).to_contain_text(f"Promoted to idea #{idea_number}")
    facilitator.close()
    guest.context.close()
    third_context.close()
