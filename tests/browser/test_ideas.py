"""A customer posts an idea and sees a similar one suggested; another votes without a reload;
an expert moves it to planned with a response, and the timeline shows it."""

from __future__ import annotations

from playwright.sync_api import expect

from community.permissions import Role
from community.spaces.models import SpaceRole
from tests.browser.test_forums import sign_out


def test_idea_from_first_sentence_to_planned(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.permissions import membership_of

    mod = live_user(role=Role.MODERATOR, display_name="Mod Mia")
    expert = live_user(display_name="Expert Erik")
    slug = live_space(mod, name="Product Ideas", slug="ideas-bt")
    with live_server.app.test_request_context():
        from community.accounts.models import User
        from community.spaces.models import Space

        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        erik = db.session.get(User, expert.id)
        spaces.join_space(space, erik)
        spaces.set_member_role(
            membership_of(erik, space), SpaceRole.EXPERT, by=db.session.get(User, mod.id)
        )
        db.session.commit()
    first, second = live_user(display_name="Casey"), live_user(display_name="Greta")
    page = browser.new_context(base_url=base_url).new_page()

    sign_in(page, first.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Join space").click()
    page.locator(".space-tabs").get_by_role("link", name="Ideas").click()
    page.get_by_role("link", name="Post an idea").first.click()
    page.get_by_label("Your idea in one sentence").fill("Export reports as PDF")
    page.get_by_label("Describe it").fill("Our auditors want **PDF** exports.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", name="Export reports as PDF")).to_be_visible()
    idea_url = page.url

    # A second idea with a similar title: the first one is suggested while typing.
    page.goto(f"/s/{slug}/ideas/new")
    page.get_by_label("Your idea in one sentence").type("Export repo")
    suggestion = page.locator("#similar-ideas")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("Export reports as PDF")
    sign_out(page)

    # Another customer votes without a page reload.
    sign_in(page, second.username)
    page.goto(idea_url)
    page.get_by_role("button", name="Vote for this idea").click()
    expect(page.locator(".idea-main .vote-count")).to_have_text("1")
    expect(page.get_by_role("button", name="Remove my vote")).to_be_visible()
    page.reload()
    expect(page.locator(".idea-main .vote-count")).to_have_text("1")
    sign_out(page)

    # The space's expert plans it with a public response; the timeline shows it.
    sign_in(page, expert.username)
    page.goto(idea_url)
    page.locator("summary", has_text="Change status").click()
    page.get_by_label("New status").select_option("planned")
    page.get_by_label("Public response").fill("Planned for the spring release.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_role("alert").first).to_contain_text("Status changed to Planned.")
    expect(page.locator("#timeline")).to_contain_text("Planned for the spring release.")
    page.context.close()


def test_vote_count_changes_live_in_another_browser(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.extensions import db
    from community.ideas import operations as ideas
    from community.spaces.models import Space

    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Live Ideas", slug="live-bt")
    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        idea = ideas.submit_idea(
            space, author=db.session.get(type(owner), owner.id), title="Live counts", body="b"
        )
        db.session.commit()
        idea_id = idea.id
    viewer = browser.new_context(base_url=base_url).new_page()
    viewer.goto(f"/ideas/{idea_id}")
    expect(viewer.locator("body")).to_have_attribute("data-ideas-live", "watching")
    voter = browser.new_context(base_url=base_url).new_page()
    sign_in(voter, live_user().username)
    voter.goto(f"/ideas/{idea_id}")
    voter.get_by_role("button", name="Vote for this idea").click()
    expect(voter.locator(".idea-main .vote-count")).to_have_text("1")
    expect(viewer.locator(".idea-main .vote-count")).to_have_text("1")
    viewer.context.close()
    voter.context.close()


def _ideas(live_server, slug, author, titles, voters=()):
    """Ideas posted by ``author`` in the space, and ``voters`` (user, title) voting; their ids."""
    from community.accounts.models import User
    from community.extensions import db
    from community.ideas import operations as ideas
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        by = db.session.get(User, author.id)
        posted = {
            t: ideas.submit_idea(space, author=by, title=t, body="We need it.") for t in titles
        }
        for voter, title in voters:
            ideas.cast_vote(posted[title], db.session.get(User, voter.id))
        db.session.commit()
        return {title: idea.id for title, idea in posted.items()}


def test_vote_budget_from_settings_to_votes_left(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Budgeted Ideas", slug="budget-bt")
    _ideas(live_server, slug, owner, ["Dark mode", "Offline mode", "SSO login"])
    page = browser.new_context(base_url=base_url).new_page()

    # The owner limits every person to two open ideas at a time.
    sign_in(page, owner.username)
    page.goto(f"/s/{slug}")
    page.locator(".space-tabs").get_by_role("link", name="Settings").click()
    page.get_by_label("Votes per member").fill("2")
    page.get_by_role("button", name="Save idea settings").click()
    expect(page.get_by_role("alert").first).to_contain_text("Idea settings saved.")
    expect(page.get_by_label("Votes per member")).to_have_value("2")
    sign_out(page)

    # A customer sees the votes left change as they vote, without a reload.
    sign_in(page, live_user(display_name="Casey").username)
    page.goto(f"/s/{slug}/ideas")
    left = page.locator("[data-votes-left]")
    expect(left).to_have_text("2 votes left")

    def vote_for(title):
        page.locator(".idea-row", has_text=title).get_by_role(
            "button", name="Vote for this idea"
        ).click()

    vote_for("Dark mode")
    expect(left).to_have_text("1 vote left")
    vote_for("Offline mode")
    expect(left).to_have_text("0 votes left")
    vote_for("SSO login")
    expect(page.locator(".vote-notice")).to_contain_text("You have used all 2 of your votes")
    expect(page.locator(".idea-row", has_text="SSO login").locator(".vote-count")).to_have_text("0")

    # Taking a vote back on the idea page gives it back.
    page.get_by_role("link", name="Dark mode").click()
    expect(page.locator(".idea-main [data-votes-left]")).to_have_text("0 votes left")
    page.get_by_role("button", name="Remove my vote").click()
    expect(page.locator(".idea-main [data-votes-left]")).to_have_text("1 vote left")
    page.context.close()


def test_merge_a_duplicate_and_unmerge_it(
    browser, base_url, live_server, live_user, live_space, sign_in, output_path
):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    slug = live_space(mod, name="Reporting", slug="merge-bt")
    ana, bo = live_user(display_name="Ana"), live_user(display_name="Bo")
    ids = _ideas(
        live_server,
        slug,
        mod,
        ["Export the audit log as CSV", "Audit log export for compliance"],
        voters=[(ana, "Export the audit log as CSV"), (bo, "Audit log export for compliance")],
    )
    duplicate, original = ids["Export the audit log as CSV"], ids["Audit log export for compliance"]
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()
    sign_in(page, mod.username)

    # The moderator finds the original by its title and merges the duplicate into it.
    page.goto(f"/ideas/{duplicate}")
    page.locator("summary", has_text="Merge into another idea").click()
    page.get_by_label("Find the idea by its title").fill("audit log")
    candidate = page.locator(".merge-candidates li", has_text="Audit log export for compliance")
    candidate.get_by_role("button", name="Choose").click()
    expect(page.get_by_label("Merge into idea number")).to_have_value(str(original))
    page.locator("#merge_response").fill("Same request: follow the **compliance export** idea.")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Merged into #{original}")
    note = page.locator(".merged-note")
    expect(note).to_contain_text(f"Merged into #{original} Audit log export for compliance")
    expect(page.locator("#timeline")).to_contain_text("Same request: follow the compliance export")
    expect(page.get_by_role("button", name="Vote for this idea")).to_be_disabled()
    page.screenshot(path=f"{output_path}/idea-merged.png", full_page=True)

    # The original lists the duplicate, and has gained its supporter.
    note.get_by_role("link").click()
    merged_here = page.locator(".merged-here")
    expect(merged_here).to_contain_text(f"#{duplicate} Export the audit log as CSV")
    expect(page.locator(".idea-main .vote-count")).to_have_text("2")
    page.screenshot(path=f"{output_path}/idea-merged-here.png", full_page=True)
    merged_here.get_by_role("link").click()

    # Unmerging restores the duplicate and takes the moved vote back.
    page.locator("summary", has_text="Unmerge").click()
    page.get_by_role("button", name="Unmerge", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Unmerged: the idea is New again.")
    expect(page.locator(".merged-note")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text(f"unmerged from #{original}")
    expect(page.get_by_role("button", name="Vote for this idea")).to_be_enabled()
    page.goto(f"/ideas/{original}")
    expect(page.locator(".merged-here")).to_have_count(0)
    expect(page.locator(".idea-main .vote-count")).to_have_text("1")
    page.context.close()
