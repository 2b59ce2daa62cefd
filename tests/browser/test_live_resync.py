"""Live pages catch up on what they missed: after their connection dropped and came back
(a network drop, an instance stopped), and when the server says ``resync`` (its message queue
between instances was down, so pushes from other instances were lost while the page stayed
connected). Idea pages and lists, thread pages, the notification count and the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.extensions import db, socketio
from community.permissions import Role
from community.web.queue import RESYNC
from tests.browser.test_forums import sign_in_zh
from tests.browser.test_ideas import _ideas
from tests.browser.test_live_pages import _shoot, _thread

# A drop is noticed when the browser gives up on the socket; then it reconnects by itself.
DROP = 45_000


def _offline(page) -> None:
    """The page's connection drops (its live channel says so) and stays down."""
    page.context.set_offline(True)
    expect(page.locator("body")).to_have_attribute("data-live", "disconnected", timeout=DROP)


def _online(page) -> None:
    page.context.set_offline(False)
    expect(page.locator("body")).to_have_attribute("data-live", "connected", timeout=DROP)


@pytest.fixture
def lost_pushes(monkeypatch):
    """While in this context, live pushes are lost, as they are from an instance that cannot
    reach Redis, and the page's connections are held by another instance (the page stays
    connected and hears nothing, and nothing here closes its connections)."""
    import contextlib

    from community.web import live

    @contextlib.contextmanager
    def lost():
        with monkeypatch.context() as patch:
            patch.setattr(socketio, "emit", lambda *args, **kwargs: None)
            patch.setattr(live, "close_sessions", lambda *args, **kwargs: None)
            yield

    return lost


def _vote(live_server, idea_id: int, voter) -> None:
    from community.accounts.models import User
    from community.ideas import operations as ideas
    from community.ideas.models import Idea

    with live_server.app.test_request_context():
        ideas.cast_vote(db.session.get(Idea, idea_id), db.session.get(User, voter.id))
        db.session.commit()


def _reply(live_server, thread_id: int, author, body: str) -> None:
    from community.accounts.models import User
    from community.forums import operations as forums
    from community.forums.models import Thread

    with live_server.app.test_request_context():
        forums.reply_to_thread(
            db.session.get(Thread, thread_id), author=db.session.get(User, author.id), body=body
        )
        db.session.commit()


def _join(live_server, slug: str, users) -> None:
    from community.accounts.models import User
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        for user in users:
            spaces.join_space(space, db.session.get(User, user.id))
        db.session.commit()


def test_an_idea_page_and_list_catch_up_after_a_drop_and_a_resync(
    browser, base_url, live_server, live_user, live_space, sign_in, lost_pushes
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Resync Ideas", slug="resync-ideas-bt")
    ids = _ideas(live_server, slug, owner, ["Offline maps", "Night shift view"])
    voters = [live_user(display_name=name) for name in ("Vera Voter", "Vic Voter", "Val Voter")]
    _join(live_server, slug, voters)
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, live_user(display_name="Wanda Watcher").username)
    page.goto(f"/ideas/{ids['Offline maps']}")
    expect(page.locator("body")).to_have_attribute("data-ideas-live", "watching")
    count = page.locator(".idea-main .vote-count")
    expect(count).to_have_text("0")

    # The connection drops; a vote is cast meanwhile and its push cannot reach the page.
    _offline(page)
    _vote(live_server, ids["Offline maps"], voters[0])
    expect(count).to_have_text("0")
    _online(page)
    expect(count).to_have_text("1")
    expect(page.get_by_test_id("supporters")).to_contain_text("Vera Voter")
    _shoot(page, "resync-idea-en")

    # Connected all along, but the push is lost (Redis was down): the server's resync.
    with lost_pushes():
        _vote(live_server, ids["Offline maps"], voters[1])
    expect(count).to_have_text("1")
    socketio.emit(RESYNC, {}, namespace="/ideas")
    expect(count).to_have_text("2")
    expect(page.get_by_test_id("supporters")).to_contain_text("Vic Voter")

    # A list of ideas, in Chinese, the same way.
    chinese = browser.new_context(base_url=base_url).new_page()
    sign_in_zh(chinese, live_user(display_name="王芳", locale="zh_Hans").username)
    chinese.goto(f"/s/{slug}/ideas")
    expect(chinese.locator("body")).to_have_attribute("data-ideas-live", "watching")
    night = chinese.locator(f'[data-idea-votes="{ids["Night shift view"]}"]')
    expect(night).to_have_text("0")
    _offline(chinese)
    _vote(live_server, ids["Night shift view"], voters[2])
    _online(chinese)
    expect(night).to_have_text("1")
    with lost_pushes():
        _vote(live_server, ids["Night shift view"], voters[0])
    socketio.emit(RESYNC, {}, namespace="/ideas")
    expect(night).to_have_text("2")
    _shoot(chinese, "resync-ideas-list-zh")
    page.context.close()
    chinese.context.close()


def test_a_thread_page_announces_replies_missed_while_offline(
    browser, base_url, live_server, live_user, live_space, sign_in, lost_pushes
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Resync Threads", slug="resync-threads-bt")
    thread_id = _thread(live_server, slug, owner, "Which charger?")
    writer = live_user(display_name="Walt Writer")
    reader_user, chinese_user = live_user(), live_user(display_name="王芳", locale="zh_Hans")
    _join(live_server, slug, [writer, reader_user, chinese_user])
    reader = browser.new_context(base_url=base_url).new_page()
    sign_in(reader, reader_user.username)
    chinese = browser.new_context(base_url=base_url).new_page()
    sign_in_zh(chinese, chinese_user.username)
    for page in (reader, chinese):
        page.goto(f"/t/{thread_id}")
        expect(page.locator("body")).to_have_attribute("data-thread-live", "watching")
    reader.locator("#reply textarea").fill("Half an answer I am still writing")

    for page in (reader, chinese):
        _offline(page)
    _reply(live_server, thread_id, writer, "The **USB-C** one.")
    bar = reader.get_by_test_id("new-replies")
    expect(bar).to_be_hidden()
    for page in (reader, chinese):
        _online(page)
    expect(bar).to_have_text("1 new reply")
    expect(chinese.get_by_test_id("new-replies")).to_have_text("1 条新回复")
    _shoot(reader, "resync-thread-en")
    _shoot(chinese, "resync-thread-zh")

    with lost_pushes():
        _reply(live_server, thread_id, writer, "Or the spare.")
    socketio.emit(RESYNC, {}, namespace="/threads")
    expect(bar).to_have_text("2 new replies")
    bar.get_by_role("button").click()
    expect(reader.locator(".post-body strong", has_text="USB-C")).to_be_visible()
    expect(reader.locator(".post-body", has_text="Or the spare.")).to_be_visible()
    expect(reader.locator("[data-reply-count]")).to_have_text("2 replies")
    expect(reader.locator("#reply textarea")).to_have_value("Half an answer I am still writing")
    reader.context.close()
    chinese.context.close()


def test_an_earlier_page_of_a_thread_does_not_announce_the_later_pages(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    from community.forums.queries import POSTS_PER_PAGE

    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Resync Pages", slug="resync-pages-bt")
    thread_id = _thread(live_server, slug, owner, "A long talk")
    for number in range(POSTS_PER_PAGE + 2):
        _reply(live_server, thread_id, owner, f"Reply number {number}")
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, live_user().username)
    page.goto(f"/t/{thread_id}?page=1")
    expect(page.locator("body")).to_have_attribute("data-thread-live", "watching")
    expect(page.get_by_test_id("new-replies")).to_be_hidden()
    page.goto(f"/t/{thread_id}?page=2")
    expect(page.locator("body")).to_have_attribute("data-thread-live", "watching")
    expect(page.get_by_test_id("new-replies")).to_be_hidden()
    page.context.close()


def test_the_notification_count_catches_up(
    browser, base_url, live_server, live_user, live_space, sign_in, lost_pushes
):
    owner = live_user(role=Role.MODERATOR, display_name="Olga Owner")
    slug = live_space(owner, name="Resync Bell", slug="resync-bell-bt")
    asker = live_user(display_name="Ada Asker")
    _join(live_server, slug, [asker])
    thread_id = _thread(live_server, slug, asker, "Where is the manual?")
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, asker.username)
    page.goto(f"/s/{slug}")
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    badge = page.locator("[data-notification-count]")
    expect(badge).to_be_hidden()

    _offline(page)
    _reply(live_server, thread_id, owner, "In the drawer.")  # the asker follows their thread
    _online(page)
    expect(badge).to_have_text("1")
    _shoot(page, "resync-bell-en")
    with lost_pushes():
        _reply(live_server, thread_id, owner, "The second drawer.")
    socketio.emit(RESYNC, {}, namespace="/me")
    expect(badge).to_have_text("2")
    page.context.close()


def test_a_board_catches_up_on_a_resync_with_no_later_update(
    browser, base_url, live_server, live_user, live_space, live_session, sign_in, lost_pushes
):
    """A lost update with none after it leaves no gap to notice: the resync asks anyway."""
    from community.accounts.models import User
    from community.brainstorms import notes
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import BrainstormSession

    host = live_user(role=Role.MODERATOR, display_name="Hana Host")
    slug = live_space(host, name="Resync Board", slug="resync-board-bt")
    writer, chinese_user = live_user(), live_user(display_name="王芳", locale="zh_Hans")
    session_id = live_session(
        host, [writer, chinese_user], slug=slug, prompt="What slows you?", hidden_ideation=False
    )
    with live_server.app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        brainstorms.advance_phase(session, by=db.session.get(User, host.id), expected="lobby")
        db.session.commit()
    page = browser.new_context(base_url=base_url).new_page()
    sign_in_zh(page, chinese_user.username)

    def add(text: str) -> None:
        with live_server.app.test_request_context():
            session = db.session.get(BrainstormSession, session_id)
            notes.add_note(session, author=db.session.get(User, writer.id), text=text)
            db.session.commit()

    add("Flaky tests")
    page.goto(f"/sessions/{session_id}")
    # Joined: the board is drawn from the state it was sent.
    expect(page.locator(".sticky-note", has_text="Flaky tests")).to_be_visible()

    with lost_pushes():
        add("Slow builds on Mondays")
    note = page.locator(".sticky-note", has_text="Slow builds on Mondays")
    expect(note).to_have_count(0)
    socketio.emit(RESYNC, {}, namespace="/brainstorm")
    expect(note).to_be_visible()
    _shoot(page, "resync-board-zh")
    page.context.close()


def test_a_sign_out_lost_with_the_queue_is_noticed_on_resync(
    browser, base_url, live_server, live_user, sign_in, lost_pushes
):
    from community.accounts import sessions
    from community.accounts.models import User

    user = live_user()
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, user.username)
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    with lost_pushes(), live_server.app.test_request_context():
        sessions.end_all_sessions(db.session.get(User, user.id), reason="change")
        db.session.commit()
    expect(page.locator("#live-banner")).to_be_hidden()
    socketio.emit(RESYNC, {}, namespace="/me")
    expect(page.locator("#live-banner")).to_contain_text("You are signed out in this browser.")
    page.context.close()
