"""E-mail: preferences per kind, the digest command, and one-click unsubscribe tokens, also
through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Thread
from community.notifications.delivery import unsubscribe_token
from community.notifications.models import MailPreference
from community.spaces.models import Space
from tests.fixtures.app import make_app


@pytest.fixture
def scene(create_space, create_user, add_member, create_thread, follow):
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, bob, title="Calibrating the detector")
    follow(alice, "thread", thread.id, "watching")
    return space, alice, bob, thread


def set_pref(client, login, user, **prefs):
    login(client, user)
    data = {"follow_created": "y", "follow_voted": "y"}
    data.update({f"mail_{k}": v for k, v in prefs.items()})
    assert client.submit("/settings/notifications", data).status_code == 302


def test_immediately_sends_and_never_sends_nothing(scene, client, login, create_reply, outbox):
    _space, alice, bob, thread = scene
    set_pref(client, login, alice, reply="immediately")
    create_reply(thread, bob)
    mails = [m for m in outbox if m.to == alice.email]
    assert len(mails) == 1 and "Bob replied" in mails[0].subject
    assert dict(mails[0].headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    set_pref(client, login, alice, reply="never")
    create_reply(thread, bob)
    assert len([m for m in outbox if m.to == alice.email]) == 1


def test_bad_settings_change_nothing(scene, client, login, app):
    _space, alice, _bob, _thread = scene
    login(client, alice)
    response = client.submit("/settings/notifications", {"mail_reply": "hourly"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(MailPreference, (alice.id, "reply")) is None


def digest(app) -> str:
    return app.test_cli_runner().invoke(args=["notifications", "digest"]).output


def test_digest_batches_is_idempotent_and_omits_unreadable(
    app, scene, create_space, create_thread, create_reply, outbox, space_owner, follow
):
    space, alice, bob, thread = scene
    create_reply(thread, bob, body="first")
    create_reply(thread, bob, body="second")
    other = create_thread(space, bob, title="Secret roadmap")
    follow(alice, "thread", other.id, "watching")
    create_reply(other, bob)
    hidden = create_space(visibility="private")
    with app.test_request_context():
        from community.accounts.models import User

        forums.move_thread(
            db.session.get(Thread, other.id),
            db.session.get(Space, hidden.id),
            by=db.session.get(User, space_owner.id),
            reason="Belongs there",
        )
        db.session.commit()
    assert "Sent 1 digest" in digest(app)
    mails = [m for m in outbox if m.to == alice.email]
    assert len(mails) == 1
    assert mails[0].text.count("Bob replied in “Calibrating the detector”") == 2
    assert "Secret roadmap" not in mails[0].text
    assert "Sent 0 digest" in digest(app)
    assert len([m for m in outbox if m.to == alice.email]) == 1


def test_unsubscribe_tokens(app, scene, client, create_user):
    _space, alice, _bob, _thread = scene
    with app.test_request_context():
        token = unsubscribe_token(alice.id, "reply")
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 400
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 200  # confirm page
    with app.app_context():
        assert db.session.get(MailPreference, (alice.id, "reply")) is None
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 200
    with app.app_context():
        assert db.session.get(MailPreference, (alice.id, "reply")).delivery == "never"
        assert db.session.get(MailPreference, (alice.id, "mention")) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_digest_over_smtp_and_unsubscribe_logged_out(tmp_path, smtp_server):
    from tests.fixtures.accounts import make_user

    controller, inbox = smtp_server
    app = make_app(
        tmp_path,
        MAIL_BACKEND="smtp",
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        SITE_URL="http://cocreate.test",
    )
    from community.accounts.models import User
    from community.forums.operations import reply_to_thread, start_thread
    from community.notifications import operations
    from community.permissions import Role
    from community.spaces import operations as spaces

    owner = make_user(app, "owner", role=Role.MODERATOR)
    alice = make_user(app, "alice")
    with app.test_request_context():
        by = db.session.get(User, owner.id)
        space = spaces.create_space(
            name="Lab", slug="lab", description="", visibility="public", tags="", by=by
        )
        thread = start_thread(space, author=by, kind="discussion", title="Phantoms", body="Hi")
        operations.set_follow(db.session.get(User, alice.id), "thread", thread.id, "watching")
        db.session.commit()
        reply_to_thread(db.session.get(Thread, thread.id), author=by, body="An answer")
        db.session.commit()
    assert "Sent 1 digest" in digest(app)
    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = inbox.messages
    assert message["To"] == alice.email
    body = message.get_payload(decode=True).decode()
    assert "Owner replied in “Phantoms”" in body
    header = re.sub(r"\s+", "", str(message["List-Unsubscribe"]))
    assert header.startswith("<http://cocreate.test/notifications/unsubscribe/"), header
    links = re.findall(r"http://cocreate\.test(/notifications/unsubscribe/\S+)", body)
    kind_link = next(link for link in links if link != header[len("<http://cocreate.test") : -1])
    client = app.test_client()  # never signed in
    assert b"Unsubscribe?" in client.get(kind_link).data
    assert client.post(kind_link).status_code == 200
    with app.app_context():
        assert db.session.get(MailPreference, (alice.id, "reply")).delivery == "never"
        assert db.session.get(MailPreference, (alice.id, "mention")) is None
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
