"""Live pages: an idea page whose count, supporters and follow button move with the vote,
voting for a similar idea without losing the new idea being typed, and a thread that shows
new replies in place."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_forums import sign_in_zh
from tests.browser.test_ideas import _ideas

SHOTS = os.environ.get("COCREATE_SHOTS", "test-results/live-pages")


def _shoot(page, name: str) -> None:
    """Screenshots at desktop and phone width, for a person to look at (not committed)."""
    os.makedirs(SHOTS, exist_ok=True)
    size = page.viewport_size
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)
    if size:
        page.set_viewport_size(size)


def test_vote_for_similar_idea_keeps_the_draft(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR)
    slug = live_space(owner, name="Similar Ideas", slug="similar-bt")
    ids = _ideas(live_server, slug, owner, ["Export reports as signed PDF for auditors"])
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, live_user().username)
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Join space").click()
    page.goto(f"/s/{slug}/ideas/new")
    page.get_by_label("Your idea in one sentence").type("Export repo")
    page.get_by_label("Describe it").fill("Half a thought I must not lose")
    similar = page.locator("#similar-ideas")
    # The live server is shared with other tests, whose ideas may be suggested too.
    suggestion = similar.get_by_role("listitem").filter(
        has_text="Export reports as signed PDF for auditors"
    )
    suggestion.get_by_role("button", name="Vote for this instead").click()
    expect(suggestion.get_by_role("button", name="Voted")).to_be_disabled()
    expect(page).to_have_url(f"{base_url}/s/{slug}/ideas/new")
    expect(page.get_by_label("Your idea in one sentence")).to_have_value("Export repo")
    expect(page.get_by_label("Describe it")).to_have_value("Half a thought I must not lose")
    _shoot(page, "similar-voted-en")
    # The idea being typed is a draft too: a reload after voting brings it back.
    page.reload()
    expect(page.get_by_label("Your idea in one sentence")).to_have_value("Export repo")
    expect(page.get_by_label("Describe it")).to_have_value("Half a thought I must not lose")
    page.goto(f"/ideas/{ids['Export reports as signed PDF for auditors']}")
    expect(page.locator(".idea-main .vote-count")).to_have_text("1")
    page.context.close()


def _contrast(page, selector: str) -> float:
    """The contrast ratio of an element's text on its background, as the browser draws it."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const style = getComputedStyle(el);
          const rgb = (text) => text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const lin = (c) => {
              c /= 255;
              return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
          };
          const lums = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
          const [a, b] = lums.sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }""",
        selector,
    )


def test_idea_page_moves_with_the_vote(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Live Supporters", slug="supporters-bt")
    idea_id = _ideas(live_server, slug, owner, ["Dark mode"])["Dark mode"]
    watcher = browser.new_context(base_url=base_url).new_page()
    sign_in(watcher, live_user(display_name="Wanda Watcher").username)
    watcher.goto(f"/ideas/{idea_id}")
    expect(watcher.locator("body")).to_have_attribute("data-ideas-live", "watching")
    supporters = watcher.get_by_test_id("supporters")
    expect(supporters).to_contain_text("No votes yet. Be the first!")
    expect(watcher.locator(".idea-main .vote-button")).to_contain_text("0 votes")

    # Someone else votes: the count, its word and the supporters change together, live.
    voter = browser.new_context(base_url=base_url).new_page()
    sign_in(voter, live_user(display_name="Victor Voter").username)
    voter.goto(f"/ideas/{idea_id}")
    voter.get_by_role("button", name="Vote for this idea").click()
    expect(watcher.locator(".idea-main .vote-count")).to_have_text("1")
    expect(watcher.locator(".idea-main .vote-button")).to_contain_text("1 vote")
    expect(watcher.locator(".idea-main .vote-button")).not_to_contain_text("votes")
    expect(supporters).to_contain_text("Victor Voter")
    expect(supporters).not_to_contain_text("No votes yet")

    # The watcher votes too: their follow button says they follow the idea now.
    follow = watcher.locator("[data-idea-follow] .dropdown-toggle")
    expect(follow).to_have_text("Follow")
    watcher.get_by_role("button", name="Vote for this idea").click()
    expect(watcher.locator(".idea-main .vote-button")).to_contain_text("2 votes")
    expect(watcher.get_by_test_id("supporters")).to_contain_text("Wanda Watcher")
    expect(follow).to_have_text("Normal")
    expect(voter.get_by_test_id("supporters")).to_contain_text("Wanda Watcher")

    # The voted button stays readable under the pointer.
    watcher.hover(".idea-main .vote-button")
    assert _contrast(watcher, ".idea-main .vote-button") >= 4.5
    watcher.mouse.move(0, 0)
    _shoot(watcher, "idea-voted-en")
    chinese = browser.new_context(base_url=base_url).new_page()
    sign_in_zh(chinese, live_user(display_name="王芳", locale="zh_Hans").username)
    chinese.goto(f"/ideas/{idea_id}")
    expect(chinese.locator(".idea-main .vote-button")).to_contain_text("2 票")
    chinese.get_by_role("button", name="为这个创意投票").click()
    expect(chinese.get_by_test_id("supporters")).to_contain_text("王芳")
    _shoot(chinese, "idea-voted-zh")
    chinese.context.close()
    watcher.context.close()
    voter.context.close()


def _thread(live_server, slug, author, title):
    """A discussion started in the space by ``author``; its id."""
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        thread = forums.start_thread(
            space,
            author=db.session.get(User, author.id),
            kind="discussion",
            title=title,
            body="Which scanner do you use?",
            tags="",
        )
        db.session.commit()
        return thread.id


def _reply(page, text: str) -> None:
    page.locator("#reply textarea").fill(text)
    page.locator("#reply button[type=submit]").click()


def test_new_replies_appear_in_place_and_the_reply_being_typed_stays(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Live Threads", slug="threads-bt")
    thread_id = _thread(live_server, slug, owner, "Which scanner?")
    reader_user = live_user(display_name="Rita Reader")
    writer_user = live_user(display_name="Walt Writer")
    chinese_user = live_user(display_name="王芳", locale="zh_Hans")
    pages = {}
    for name, user, login in (
        ("reader", reader_user, sign_in),
        ("writer", writer_user, sign_in),
        ("chinese", chinese_user, sign_in_zh),
    ):
        pages[name] = browser.new_context(base_url=base_url).new_page()
        login(pages[name], user.username)
        pages[name].goto(f"/s/{slug}")
        pages[name].locator("form[action$='/join'] button").click()
    reader, writer, chinese = pages["reader"], pages["writer"], pages["chinese"]
    for page in (reader, chinese):
        page.goto(f"/t/{thread_id}")
        expect(page.locator("body")).to_have_attribute("data-thread-live", "watching")
    reader.locator("#reply textarea").fill("I am typing a long answer about the")

    writer.goto(f"/t/{thread_id}")
    _reply(writer, "The **Canon** one.")
    _reply(writer, "And a spare one.")
    bar = reader.get_by_test_id("new-replies")
    expect(bar).to_have_text("2 new replies")
    expect(chinese.get_by_test_id("new-replies")).to_have_text("2 条新回复")
    # The writer sees their own replies after posting, not as news.
    expect(writer.get_by_test_id("new-replies")).to_be_hidden()
    _shoot(reader, "thread-new-replies-en")
    _shoot(chinese, "thread-new-replies-zh")

    heading = reader.locator("[data-reply-count]")
    expect(heading).to_have_text("0 replies")
    url = reader.url
    bar.get_by_role("button").click()
    expect(reader.locator(".post-body", has_text="The Canon one.")).to_be_visible()
    expect(reader.locator(".post-body strong", has_text="Canon")).to_be_visible()
    expect(reader.locator(".post-body", has_text="And a spare one.")).to_be_visible()
    expect(bar).to_be_hidden()
    assert reader.url == url
    expect(reader.locator("#reply textarea")).to_have_value("I am typing a long answer about the")
    # The heading counts the replies now on the page, with the right plural.
    expect(heading).to_have_text("2 replies")
    _shoot(reader, "thread-shown-en")
    chinese.get_by_test_id("new-replies").get_by_role("button").click()
    expect(chinese.locator("[data-reply-count]")).to_have_text("2 条回复")
    _reply(writer, "One more.")
    expect(bar).to_have_text("1 new reply")
    bar.get_by_role("button").click()
    expect(heading).to_have_text("3 replies")
    _shoot(chinese, "thread-shown-zh")
    for page in pages.values():
        page.context.close()


def test_an_ideas_discussion_is_live_and_the_comment_being_typed_stays(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Live Co-design", slug="codesign-bt", visibility="private")
    idea_id = _ideas(live_server, slug, owner, ["Scan presets per site"])["Scan presets per site"]
    reader_user = live_user(display_name="Rita Reader")
    writer_user = live_user(display_name="Walt Writer")
    chinese_user = live_user(display_name="王芳", locale="zh_Hans")
    _members(live_server, slug, [reader_user, writer_user, chinese_user])
    pages = {}
    for name, user, login in (
        ("reader", reader_user, sign_in),
        ("writer", writer_user, sign_in),
        ("chinese", chinese_user, sign_in_zh),
        ("outsider", live_user(display_name="Otto Outsider"), sign_in),
    ):
        pages[name] = browser.new_context(base_url=base_url).new_page()
        login(pages[name], user.username)
    reader, writer, chinese = pages["reader"], pages["writer"], pages["chinese"]
    for page in (reader, chinese):
        page.goto(f"/ideas/{idea_id}")
        expect(page.locator("body")).to_have_attribute("data-thread-live", "watching")
    expect(reader.get_by_text("No one has joined the discussion yet.")).to_be_visible()
    reader.locator("#reply textarea").fill("Presets should follow the")

    writer.goto(f"/ideas/{idea_id}")
    writer.locator("#reply textarea").fill("Per scanner, *not* per site.")
    writer.locator("#reply button[type=submit]").click()
    bar = reader.get_by_test_id("new-replies")
    expect(bar).to_have_text("1 new reply")
    expect(chinese.get_by_test_id("new-replies")).to_have_text("1 条新回复")
    _shoot(reader, "idea-new-replies-en")
    _shoot(chinese, "idea-new-replies-zh")

    url = reader.url
    bar.get_by_role("button").click()
    expect(reader.locator(".post-body em", has_text="not")).to_be_visible()
    expect(reader.get_by_text("No one has joined the discussion yet.")).to_have_count(0)
    expect(bar).to_be_hidden()
    assert reader.url == url
    expect(reader.locator("#reply textarea")).to_have_value("Presets should follow the")
    chinese.get_by_test_id("new-replies").get_by_role("button").click()
    expect(chinese.locator(".post-body em", has_text="not")).to_be_visible()
    _shoot(reader, "idea-shown-en")
    _shoot(chinese, "idea-shown-zh")

    # Someone who may not read the private space gets nothing: no page, no replies.
    outsider = pages["outsider"]
    response = outsider.goto(f"/ideas/{idea_id}")
    assert response is not None and response.status == 404
    thread_id = reader.get_by_test_id("new-replies").get_attribute("data-thread-live")
    answer = outsider.request.get(f"/t/{thread_id}/new-replies?after=0")
    assert answer.status == 404 and "scanner" not in answer.text()
    for page in pages.values():
        page.context.close()


def _members(live_server, slug, users):
    """Make ``users`` members of the space (a private one takes no one who asks)."""
    from community.extensions import db
    from community.spaces.models import Membership, Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for user in users:
            db.session.add(Membership(space_id=space.id, user_id=user.id, role="member"))
            space.member_count += 1
        db.session.commit()


def test_similar_ideas_of_this_space_come_first_and_others_name_their_space(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    owner = live_user(role=Role.MODERATOR)
    here = live_space(owner, name="Ward Scanners", slug="similar-here-bt")
    there = live_space(owner, name="Lab Printers", slug="similar-there-bt")
    hidden = live_space(owner, name="Board Room", slug="similar-hidden-bt", visibility="private")
    # The other spaces' titles match best; this space's idea still comes first.
    _ideas(live_server, there, owner, ["Barcode labels"])
    _ideas(live_server, hidden, owner, ["Barcode labels now"])
    _ideas(live_server, here, owner, ["Print barcode labels for every scanned sample tube"])
    person = live_user(display_name="Sam Similar")
    chinese_user = live_user(display_name="李雷", locale="zh_Hans")
    _members(live_server, here, [person, chinese_user])
    for user, login, heading in ((person, sign_in, "en"), (chinese_user, sign_in_zh, "zh")):
        page = browser.new_context(base_url=base_url).new_page()
        login(page, user.username)
        page.goto(f"/s/{here}/ideas/new")
        page.locator("#title").type("Barcode lab")
        items = page.locator("#similar-ideas li")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text("Print barcode labels for every scanned sample tube")
        expect(items.nth(0).locator(".similar-space")).to_have_text("")
        expect(items.nth(1)).to_contain_text("Barcode labels")
        elsewhere = "in Lab Printers" if heading == "en" else "来自“Lab Printers”"
        expect(items.nth(1).locator(".similar-space")).to_have_text(elsewhere)
        expect(page.locator("#similar-ideas")).not_to_contain_text("Barcode labels now")
        _shoot(page, f"similar-spaces-{heading}")
        page.context.close()
