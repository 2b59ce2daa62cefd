"""Device sessions: signing out ends this browser's session on the server, kept cookies stop
working, and the sessions list signs out other devices."""

from __future__ import annotations

import re

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from community.accounts.models import User, UserSession
from community.extensions import db
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import page_text

NEW = "a brand new passphrase"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in(client, name: str) -> bool:
    return name in page_text(client.get("/"))


def session_count(app, user) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(UserSession.id)).where(UserSession.user_id == user.id)
        )


def test_sign_out_deletes_the_remember_cookie(client, create_user, login):
    user = create_user(display_name="Rhea Remember")
    login(client, user, remember=True)
    assert client.get_cookie("remember_token") is not None
    response = client.submit("/logout")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=;") for c in cookies), cookies
    assert client.get_cookie("remember_token") is None
    assert not signed_in(client, "Rhea Remember")


def test_a_remember_cookie_kept_after_sign_out_no_longer_signs_in(app, client, create_user, login):
    user = create_user(display_name="Kate Kept")
    login(client, user, remember=True)
    kept = client.get_cookie("remember_token").value
    client.submit("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", kept)
    assert not signed_in(thief, "Kate Kept")
    assert session_count(app, user) == 0


def test_a_session_cookie_kept_after_sign_out_opens_nothing(
    app, client, create_user, login, create_space, add_member, create_thread
):
    user = create_user(display_name="Sam Copied")
    space = create_space("Inner circle", visibility="private")
    add_member(space, user)
    thread = create_thread(space, user, title="Private plans")
    login(client, user)
    assert client.get(f"/t/{thread.id}").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    kept = client.get_cookie("session").value

    client.submit("/logout")
    copy = app.test_client()
    copy.set_cookie("session", kept)
    assert not signed_in(copy, "Sam Copied")
    assert copy.get(f"/t/{thread.id}").status_code == 404
    assert copy.get("/api/v1/me").status_code == 401
    assert copy.get("/settings/profile").status_code == 302


def test_signing_out_ends_only_this_browser(app, create_user, login):
    user = create_user(display_name="Dora Devices")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user, remember=True)
    assert session_count(app, user) == 2
    laptop.submit("/logout")
    assert not signed_in(laptop, "Dora Devices")
    assert signed_in(phone, "Dora Devices")
    assert session_count(app, user) == 1


def test_only_a_digest_of_the_session_id_is_stored(app, client, create_user, login):
    user = create_user()
    login(client, user, remember=True)
    with client.session_transaction() as session:
        identity = session["_user_id"]
    user_id, _, secret = identity.partition(":")
    assert user_id == str(user.id) and len(secret) >= 32
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
        assert secret not in row.token_hash and len(row.token_hash) == 64


def test_the_sessions_page_lists_devices_and_signs_out_the_others(
    app, create_user, login, count_queries
):
    user = create_user("vera", display_name="Vera Devices")
    here = app.test_client()
    here.environ_base["HTTP_USER_AGENT"] = FIREFOX
    login(here, user)
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = IPHONE
    login(phone, user, remember=True)
    third = app.test_client()
    login(third, user)

    page = page_text(here.get("/settings/sessions"))
    assert "Firefox on Windows" in page and "Safari on iOS" in page
    assert "This device" in page
    with count_queries() as queries:
        here.get("/settings/sessions")
    # The session check and the list, plus the header's counts (one statement).
    assert len(queries) == 3, queries

    html = here.get("/settings/sessions").get_data(as_text=True)
    ids = re.findall(r"/settings/sessions/(\d+)/end", html)
    assert len(ids) == 2  # the others, not this one
    phone_id = next(
        i for i in ids if "Safari on iOS" in html.split(f"/settings/sessions/{i}/end")[0][-900:]
    )
    done = here.submit(f"/settings/sessions/{phone_id}/end", follow_redirects=True)
    assert "Signed out of Safari on iOS." in page_text(done)
    assert not signed_in(phone, "Vera Devices")
    assert signed_in(third, "Vera Devices")

    everywhere = here.submit("/settings/sessions/end-others", follow_redirects=True)
    assert "Signed out of 1 other session." in page_text(everywhere)
    assert not signed_in(third, "Vera Devices")
    assert signed_in(here, "Vera Devices")
    assert session_count(app, user) == 1


def test_sessions_of_others_and_forged_requests_change_nothing(app, create_user, login):
    vera, mallory = create_user("vera"), create_user("mallory")
    victim = app.test_client()
    login(victim, vera)
    attacker = app.test_client()
    login(attacker, mallory)
    with app.app_context():
        victim_session = db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == vera.id)
        )
        own = db.session.scalar(select(UserSession.id).where(UserSession.user_id == mallory.id))
    for session_id in (victim_session, own, 0, 99999999, 2**31 - 1):
        assert attacker.submit(f"/settings/sessions/{session_id}/end").status_code == 404
    assert attacker.submit("/settings/sessions/-1/end").status_code == 404
    assert attacker.submit("/settings/sessions/99999999999999999999/end").status_code == 404
    # Without the CSRF token nothing happens, for one session or for all the others.
    assert attacker.post(f"/settings/sessions/{victim_session}/end").status_code == 400
    assert victim.post("/settings/sessions/end-others").status_code == 400
    assert attacker.get("/settings/sessions/end-others").status_code == 405
    assert session_count(app, vera) == 1 and session_count(app, mallory) == 1
    assert signed_in(victim, "Vera")
    assert app.test_client().get("/settings/sessions").status_code == 302


def test_password_change_ends_every_other_session_and_keeps_this_one(app, create_user, login):
    user = create_user(display_name="Paula Password")
    here, other = app.test_client(), app.test_client()
    login(here, user, remember=True)
    login(other, user, remember=True)
    here.submit(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW}
    )
    assert session_count(app, user) == 1
    assert signed_in(here, "Paula Password")
    assert not signed_in(other, "Paula Password")


def test_copies_of_one_account_are_equal_whatever_session_they_came_from(app, create_user):
    from community.accounts.models import User

    alice, bob = create_user(), create_user()
    with app.app_context():
        loaded = db.session.get(User, alice.id)
        assert loaded == alice and loaded != bob and alice in [bob, loaded]
        assert len({loaded, db.session.get(User, bob.id)}) == 2


def test_forged_or_mangled_identities_sign_in_nobody(app, client, create_user, login):
    user = create_user(display_name="Fiona Forged")
    login(client, user)
    with client.session_transaction() as session:
        real = session["_user_id"]
    secret = real.partition(":")[2]
    for identity in (
        f"{user.id}:wrong",
        f"{user.id + 1}:{secret}",  # someone else's id with this secret
        f"{user.id}",
        f"{user.id}:",
        f"x{user.id}:{secret}",
        f"{user.id}:{secret}\x00",
        f"{user.id}:{secret}\ud800",
        f"99999999999999999999:{secret}",
        f"-1:{secret}",
        f"{user.id}:" + "a" * 5000,
    ):
        forged = app.test_client()
        with forged.session_transaction() as session:
            session["_user_id"] = identity
        response = forged.get("/settings/sessions")
        assert response.status_code == 302 and "/login" in response.location, identity


def test_a_session_unused_for_too_long_has_ended(app, client, create_user, login):
    from datetime import timedelta

    from community.database import utcnow

    user = create_user(display_name="Ida Idle")
    login(client, user)
    other = app.test_client()
    login(other, user)
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
        row.last_seen_at = utcnow() - timedelta(seconds=app.config["SESSION_MAX_IDLE"] + 1)
        db.session.commit()
        idle_id = row.id
    signed_in_clients = [c for c in (client, other) if signed_in(c, "Ida Idle")]
    assert len(signed_in_clients) == 1
    active = signed_in_clients[0]
    html = active.get("/settings/sessions").get_data(as_text=True)
    assert f"/settings/sessions/{idle_id}/end" not in html
    assert active.submit(f"/settings/sessions/{idle_id}/end").status_code == 404
    # Signing in again forgets it.
    login(app.test_client(), user)
    assert session_count(app, user) == 2


def test_last_seen_is_written_now_and_then_not_on_every_request(
    app, client, create_user, login, count_queries
):
    from datetime import timedelta

    from community.database import utcnow

    user = create_user()
    login(client, user)
    with count_queries() as quiet:
        client.get("/settings/sessions")
    assert not [q for q in quiet if q.lstrip().upper().startswith("UPDATE")]
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
        row.last_seen_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    with count_queries() as touched:
        client.get("/settings/sessions")
    assert len([q for q in touched if q.startswith("UPDATE user_sessions")]) == 1
    with app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_a_page_read_commits_nothing_yet_last_seen_moves(
    app, client, create_user, login, count_commits
):
    """Nothing commits on a GET: the stamp is written after the request, on a connection and
    in a transaction of its own, and at most every few minutes."""
    from datetime import timedelta

    from community.database import utcnow

    user = create_user()
    login(client, user)
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
        row.last_seen_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    with count_commits() as commits:
        assert client.get("/settings/sessions").status_code == 200
    assert commits == []
    with app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
    with count_commits() as commits:
        client.get("/")
    assert commits == []
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) == seen  # throttled


def test_only_browser_and_system_names_are_kept_from_the_user_agent(app, create_user, login):
    user = create_user()
    for agent in (
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0 \x00<script>alert(1)</script>",
        "x" * 100_000,
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
    ):
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = agent
        login(browser, user)
    with app.app_context():
        kept = sorted(
            tuple(row)
            for row in db.session.execute(select(UserSession.browser, UserSession.system))
        )
    assert kept == [("", ""), ("Chrome", "Android"), ("Edge", "Windows"), ("Firefox", "Linux")]


def test_the_loader_reuses_its_statement_and_still_reads_every_request(app, create_user, login):
    """The loader's statement is built once per process (building it costs more than running
    it), and still runs on every request: a session ended or an account made inactive
    elsewhere signs out on the very next request."""
    vera, ulla = create_user("vera", display_name="Vera Devices"), create_user("ulla")
    first, second = app.test_client(), app.test_client()
    login(first, vera)
    login(second, ulla)
    seen = []

    def record(state):
        if state.is_select and "user_sessions" in str(state.statement):
            seen.append(state.statement)

    event.listen(Session, "do_orm_execute", record)
    try:
        assert signed_in(first, "Vera Devices")
        second.get("/")
        assert len(seen) == 2 and seen[0] is seen[1]
        with app.app_context():
            db.session.execute(delete(UserSession).where(UserSession.user_id == vera.id))
            db.session.commit()
        assert not signed_in(first, "Vera Devices")
        login(first, vera)
        assert signed_in(first, "Vera Devices")
        with app.app_context():
            db.session.execute(update(User).where(User.id == vera.id).values(active=False))
            db.session.commit()
        assert not signed_in(first, "Vera Devices")
    finally:
        event.remove(Session, "do_orm_execute", record)
