"""The knowledge base in a browser: an expert turns an accepted answer into an article and
publishes it; a second customer typing a similar question is offered it, says it answered
them (no question is posted) and marks it helpful. Plus an article's history and diff, and a
member's suggested edit accepted by an editor."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.permissions import Role
from tests.browser.test_forums import sign_out

SHOTS = "test-results"


def _solved_question(app, slug, asker, expert, title, answer):
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        asking, answering = db.session.get(User, asker.id), db.session.get(User, expert.id)
        spaces.join_space(space, asking)
        spaces.join_space(space, answering)
        thread = forums.start_thread(
            space, author=asking, kind="question", title=title, body="It drifts every morning."
        )
        reply = forums.reply_to_thread(thread, author=answering, body=answer)
        forums.accept_answer(reply, by=asking)
        db.session.commit()
        return thread.id


def _join(app, slug, user):
    from community.accounts.models import User
    from community.extensions import db
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        spaces.join_space(space, db.session.get(User, user.id))
        db.session.commit()


def _article(app, slug, by, title, body):
    from community.accounts.models import User
    from community.extensions import db
    from community.knowledge import operations
    from community.spaces.models import Space

    with app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        article = operations.create_article(
            space, title=title, body=body, publish=True, by=db.session.get(User, by.id)
        )
        db.session.commit()
        return article.id


def test_answer_becomes_article_that_answers_the_next_customer(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Kim Moderator")
    expert = live_user(role=Role.EXPERT, display_name="Eva Expert")
    first = live_user(display_name="Fiona First")
    second = live_user(display_name="Sam Second")
    slug = live_space(mod, name="Flux Labs KB", slug="flux-kb-bt")
    thread_id = _solved_question(
        live_server.app,
        slug,
        first,
        expert,
        "Flux capacitor drifts after calibration",
        "Let it warm up for **ten minutes** before you calibrate.",
    )
    _join(live_server.app, slug, second)
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()

    # The expert turns the accepted answer into an article, edits it, publishes it.
    sign_in(page, expert.username)
    page.goto(f"/t/{thread_id}")
    page.get_by_role("button", name="Turn this answer into an article").click()
    expect(page.get_by_role("heading", name="Edit", exact=True)).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Flux capacitor drifts after calibration")
    page.get_by_label("Article").fill(
        "Let it warm up for **ten minutes** before you calibrate.\n\n"
        "If it still drifts, replace the thermal pad."
    )
    page.get_by_label("Tags").fill("flux, calibration")
    page.get_by_label("Edit summary").fill("Add the thermal pad")
    page.screenshot(path=f"{SHOTS}/edit.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Article published.")).to_be_visible()
    article_url = page.url
    expect(page.locator(".kb-sources")).to_contain_text("Flux capacitor drifts after calibration")
    page.goto(f"/t/{thread_id}")
    expect(page.get_by_test_id("answer-article")).to_contain_text(
        "This answer became the article Flux capacitor drifts after calibration"
    )
    sign_out(page)

    # A second customer starts a similar question and is offered the article.
    sign_in(page, second.username)
    page.goto(f"/s/{slug}")
    page.get_by_role("link", name="Ask a question").click()
    typed = "Flux capacitor drifts every morning"
    page.get_by_label("Title").press_sequentially(typed, delay=10)
    suggestion = page.locator(".suggestion-item").filter(
        has=page.locator(".badge", has_text="Article")
    )
    expect(suggestion).to_contain_text("Flux capacitor drifts after calibration")
    page.screenshot(path=f"{SHOTS}/deflection.png", full_page=True)
    suggestion.get_by_role("button", name="This answered my question").click()
    expect(page.get_by_text("Glad that helped! Your question was not posted.")).to_be_visible()
    assert page.url.split("#")[0] == article_url
    expect(
        page.get_by_role("heading", name="Flux capacitor drifts after calibration")
    ).to_be_visible()

    # "Did this help?": yes.
    page.locator("#feedback").get_by_role("button", name="Yes").click()
    expect(page.get_by_test_id("my-feedback")).to_have_text("You said this helped.")
    page.screenshot(path=f"{SHOTS}/article.png", full_page=True)

    # The question was never posted: the space's threads do not list it.
    page.goto(f"/s/{slug}")
    expect(page.get_by_text("Flux capacitor drifts after calibration")).to_be_visible()
    expect(page.get_by_text(typed)).to_have_count(0)
    sign_out(page)

    # The expert sees the helpful rate.
    sign_in(page, expert.username)
    page.goto(article_url)
    expect(page.get_by_test_id("helpful-rate")).to_have_text("1 of 1 found this helpful")
    page.goto("/kb")
    expect(page.locator(".article-list")).to_contain_text("Flux capacitor drifts after calibration")
    page.screenshot(path=f"{SHOTS}/index.png", full_page=True)
    page.goto(f"/s/{slug}/knowledge")
    expect(page.locator(".article-list")).to_contain_text("Flux capacitor drifts after calibration")
    page.screenshot(path=f"{SHOTS}/space.png", full_page=True)


def test_history_and_diff(browser, base_url, live_server, live_user, live_space, sign_in):
    mod = live_user(role=Role.MODERATOR, display_name="Hal Historian")
    slug = live_space(mod, name="History KB", slug="history-kb-bt")
    article_id = _article(
        live_server.app, slug, mod, "Resetting the console", "Hold the red button."
    )
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()
    sign_in(page, mod.username)
    page.goto(f"/kb/{article_id}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Article").fill("Hold the green button for five seconds.")
    page.get_by_label("Edit summary").fill("Correct the button colour")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.locator(".kb-article").get_by_role("link", name="History").click()
    expect(page.locator(".revision")).to_have_count(2)
    expect(page.locator(".revision").first).to_contain_text("Correct the button colour")
    page.screenshot(path=f"{SHOTS}/history.png", full_page=True)
    page.locator(".revision").first.get_by_role("link", name="Show changes").click()
    body = page.get_by_test_id("diff-body")
    expect(body.locator("del")).to_contain_text(["red"])
    expect(body.locator("ins").first).to_contain_text("green")
    page.screenshot(path=f"{SHOTS}/diff.png", full_page=True)


def test_members_suggested_edit_is_accepted(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Edna Editor")
    member = live_user(display_name="Sid Suggester")
    slug = live_space(mod, name="Suggest KB", slug="suggest-kb-bt")
    _join(live_server.app, slug, member)
    article_id = _article(live_server.app, slug, mod, "Cleaning the lens", "Use a dry cloth.")
    page = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    ).new_page()
    sign_in(page, member.username)
    page.goto(f"/kb/{article_id}")
    page.get_by_role("link", name="Suggest an edit").click()
    page.get_by_label("Article").fill("Use a dry microfibre cloth, never paper.")
    page.get_by_label("Edit summary").fill("Say which cloth")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_text("your suggested edit was sent")).to_be_visible()
    expect(page.locator(".article-body")).to_have_text("Use a dry cloth.")
    sign_out(page)

    sign_in(page, mod.username)
    page.goto(f"/kb/{article_id}")
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text("1 suggested edit waiting")
    suggestions.get_by_role("link", name="Say which cloth").click()
    expect(page.get_by_test_id("diff-body").locator("ins")).to_contain_text(["microfibre"])
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Suggested edit accepted.")).to_be_visible()
    expect(page.locator(".article-body")).to_have_text("Use a dry microfibre cloth, never paper.")
    expect(page.locator(".kb-contributors")).to_contain_text("Sid Suggester")
    expect(page.locator("#suggestions")).to_have_count(0)
    assert re.search(rf"/kb/{article_id}", page.url)
