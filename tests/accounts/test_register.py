"""Signing up: the form answers alike for every address, the e-mailed link creates the account,
and every way it can be refused."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from community import signals
from community.accounts.models import SignupRequest, User
from community.database import utcnow
from community.extensions import db
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import page_text

GOOD = {
    "username": "alice",
    "email": "alice@example.com",
    "display_name": "Alice Liddell",
    "password": "down the rabbit hole",
    "confirm": "down the rabbit hole",
}
SENT = "Check your e-mail to finish signing up"


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def signup_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SignupRequest.id)))


def signup_link(message) -> str:
    match = re.search(r"http://localhost(/register/confirm/[\w-]+)", message.text)
    assert match, message.text
    return match.group(1)


def sign_up(client, outbox, **changes) -> str:
    """Sign up with ``GOOD`` plus ``changes``; the path of the link e-mailed."""
    before = len(outbox)
    response = client.submit("/register", {**GOOD, **changes})
    assert response.status_code == 302 and response.location == "/register/sent"
    assert len(outbox) == before + 1
    return signup_link(outbox[-1])


def test_sign_up_mails_a_link_that_creates_the_account_and_signs_in(app, client, outbox):
    fired = []
    response = client.submit("/register", GOOD)
    assert response.status_code == 302 and response.location == "/register/sent"
    sent = page_text(client.get("/register/sent"))
    assert SENT in sent and "alice@example.com" in sent
    assert user_count(app) == 0
    [message] = outbox
    assert message.to == "alice@example.com"
    assert message.subject == "Confirm your e-mail to finish signing up for Cocreate"
    assert "Hello Alice Liddell," in message.text and "24 hours" in message.text
    link = signup_link(message)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalar(select(SignupRequest))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.password_hash.startswith("$argon2id$")
        assert token not in repr([getattr(stored, c.key) for c in SignupRequest.__table__.columns])

    page = client.get(link)  # opening the link changes nothing
    assert page.status_code == 200 and "Finish signing up" in page_text(page)
    assert user_count(app) == 0
    # Before the link is followed there is no account to sign in to.
    refused = app.test_client().submit("/login", {"login": "alice", "password": GOOD["password"]})
    assert "don't match" in page_text(refused)

    with signals.user_registered.connected_to(lambda sender, **kw: fired.append(sender.username)):
        done = client.submit(link)
    assert done.status_code == 302 and done.location == "/settings/profile"
    assert fired == ["alice"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "alice"))
        assert user.password_hash.startswith("$argon2id$")
        assert user.role == "member" and user.display_name == "Alice Liddell"
        assert user.email == "alice@example.com"
    profile = client.get("/settings/profile")
    assert profile.status_code == 200 and "Alice Liddell" in page_text(profile)
    assert "Welcome to Cocreate, Alice Liddell!" in page_text(profile)


def test_an_address_with_an_account_gets_the_same_answer_and_a_reminder(
    app, client, create_user, outbox
):
    create_user("bob", email="Bob@Example.com", display_name="Bob Builder")
    new = app.test_client()
    new.submit("/register", {**GOOD, "email": "carol@example.com", "username": "carol"})
    response = client.submit("/register", {**GOOD, "email": "bob@EXAMPLE.COM"})
    assert response.status_code == 302 and response.location == "/register/sent"
    taken = page_text(client.get("/register/sent"))
    fresh = page_text(new.get("/register/sent"))
    assert taken.replace("bob@EXAMPLE.COM", "carol@example.com") == fresh
    assert "already" not in taken
    reminder = outbox[-1]
    assert reminder.to == "Bob@Example.com"
    assert reminder.subject == "You already have a Cocreate account"
    assert '"bob"' in reminder.text and "Hello Bob Builder," in reminder.text
    assert "http://localhost/login" in reminder.text
    assert "http://localhost/password/forgot" in reminder.text
    assert "/register/confirm/" not in reminder.text
    assert user_count(app) == 1  # bob; carol has not confirmed
    with app.app_context():
        assert db.session.scalar(select(SignupRequest.email)) == "carol@example.com"


def test_both_answers_hash_a_password(app, client, create_user, outbox, monkeypatch):
    from community.accounts import operations

    create_user("bob", email="bob@example.com")
    hashed = []
    original = operations.hash_password
    monkeypatch.setattr(
        operations, "hash_password", lambda password: hashed.append(1) or original(password)
    )
    client.submit("/register", {**GOOD, "email": "bob@example.com"})
    assert len(hashed) == 1
    client.submit("/register", GOOD)
    assert len(hashed) == 2


def test_mails_speak_the_language_of_their_reader(app, client, create_user, outbox):
    create_user("wang", email="wang@example.com", locale="zh_Hans")
    client.submit("/register", {**GOOD, "email": "wang@example.com"})
    assert outbox[-1].subject == "你已经有一个 Cocreate 账户"
    chinese = app.test_client()
    chinese.submit("/language", {"locale": "zh_Hans", "next": "/"})
    chinese.submit("/register", {**GOOD, "username": "lihua", "email": "li@example.com"})
    assert outbox[-1].subject == "确认你的电子邮件地址，完成 Cocreate 注册"
    assert "24 小时" in outbox[-1].text
    link = signup_link(outbox[-1])
    chinese.submit(link)
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "lihua")) == ("zh_Hans")


def test_a_link_works_once(app, client, outbox):
    link = sign_up(client, outbox)
    assert client.submit(link).status_code == 302
    again = app.test_client()
    for response in (again.get(link), again.submit(link)):
        assert response.status_code == 400
        assert "This sign-up link was already used" in page_text(response)
    assert user_count(app) == 1


def test_an_expired_link_creates_nothing(app, client, outbox):
    link = sign_up(client, outbox)
    with app.app_context():
        db.session.execute(update(SignupRequest).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    for response in (client.get(link), client.submit(link)):
        assert response.status_code == 400
        assert "This sign-up link has expired" in page_text(response)
        assert "Sign up again" in page_text(response)
    assert user_count(app) == 0
    # The next sign-up clears expired ones away.
    sign_up(app.test_client(), outbox, username="other", email="other@example.com")
    assert signup_count(app) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/register/confirm/nonsense",
        "/register/confirm/" + "a" * 500,
        "/register/confirm/%00",
        "/register/confirm/%F0%9F%99%82",
    ],
)
def test_a_made_up_link_does_not_work(app, client, outbox, path):
    sign_up(client, outbox)
    # A NUL in the address is refused at the edge, before the link is looked at.
    message = "Text may not contain NUL" if "%00" in path else "This sign-up link does not work"
    for response in (client.get(path), client.submit(path)):
        assert response.status_code == 400
        assert message in page_text(response)
    assert user_count(app) == 0


def test_the_e_mail_can_be_sent_again_and_only_the_newest_link_works(app, client, outbox):
    first = sign_up(client, outbox)
    resent = client.submit("/register/resend", follow_redirects=True)
    assert "We sent the e-mail again" in page_text(resent)
    assert len(outbox) == 2 and outbox[1].to == "alice@example.com"
    second = signup_link(outbox[1])
    assert second != first
    assert client.get(first).status_code == 400
    assert client.submit(second).status_code == 302
    assert user_count(app) == 1 and signup_count(app) == 1


def test_sending_again_answers_alike_and_needs_a_sign_up_first(app, client, create_user, outbox):
    nobody = app.test_client()
    response = nobody.submit("/register/resend")
    assert response.status_code == 302 and response.location == "/register"
    assert nobody.get("/register/sent").location == "/register"
    assert client.post("/register/resend").status_code == 400  # no CSRF token
    create_user("bob", email="bob@example.com")
    client.submit("/register", {**GOOD, "email": "bob@example.com"})
    client.submit("/register/resend")
    assert [m.subject for m in outbox] == ["You already have a Cocreate account"] * 2
    assert outbox == [m for m in outbox if m.to == "bob@example.com"]


def test_two_sign_ups_of_one_address_make_one_account(app, outbox):
    first = sign_up(app.test_client(), outbox, username="alice")
    second = sign_up(app.test_client(), outbox, username="alicia")
    assert app.test_client().submit(first).status_code == 302
    late = app.test_client()
    for response in (late.get(second), late.submit(second)):
        assert response.status_code == 400
        assert "You already have an account" in page_text(response)
    assert user_count(app) == 1


def test_a_username_taken_while_waiting_can_be_changed_on_the_link_page(app, outbox):
    mine = sign_up(app.test_client(), outbox, username="alice", email="a@example.com")
    theirs = sign_up(app.test_client(), outbox, username="ALICE", email="b@example.com")
    assert app.test_client().submit(mine).status_code == 302
    late = app.test_client()
    assert late.get(theirs).status_code == 200
    refused = late.submit(theirs)
    assert refused.status_code == 200
    assert "Someone took that username while your sign-up waited" in page_text(refused)
    bad = late.submit(theirs, {"username": "<script>"})
    assert bad.status_code == 200 and "2–30 letters" in page_text(bad)
    assert user_count(app) == 1
    done = late.submit(theirs, {"username": "alice2"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.username == "alice2")) == (
            "b@example.com"
        )


@pytest.mark.parametrize(
    "existing, attempt",
    [
        ("alice", "alice"),
        ("alice", "ALICE"),
        ("Alice", "aLiCe"),
        ("strasse", "STRASSE"),
        ("ｕｓｅｒ", "user"),  # fullwidth letters: NFKC-equal
        ("jose\u0301", "jos\u00e9"),  # decomposed and composed é
        ("Ǆemal", "ǆemal"),  # a title-case digraph folds to the same key
    ],
)
def test_username_unique_after_normalisation_and_case_folding(
    app, client, create_user, outbox, existing, attempt
):
    create_user(existing)
    response = client.submit("/register", {**GOOD, "username": attempt, "email": "new@example.com"})
    assert response.status_code == 200
    assert "That username is taken." in page_text(response)
    assert signup_count(app) == 0 and outbox == []


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"email": "a@b"}, "Invalid email address."),
        ({"password": "short1", "confirm": "short1"}, "Use at least 10 characters."),
        ({"password": "password123", "confirm": "password123"}, "too easy to guess"),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "too easy to guess"),
        ({"password": "alice12345", "confirm": "alice12345"}, "from your username"),
        ({"confirm": "something else entirely"}, "The passwords differ."),
        ({"username": "a"}, "2–30 letters"),
        ({"username": "no spaces"}, "2–30 letters"),
        ({"username": "_underscore"}, "2–30 letters"),
        ({"username": "<script>"}, "2–30 letters"),
        ({"display_name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    app, client, outbox, changes, message
):
    response = client.submit("/register", {**GOOD, **changes})
    assert response.status_code == 200
    assert message in page_text(response)
    assert user_count(app) == 0 and signup_count(app) == 0 and outbox == []


def test_chinese_username_is_accepted(app, client, outbox):
    link = sign_up(client, outbox, username="王芳", display_name="王芳")
    assert client.submit(link).status_code == 302
    assert client.get("/u/王芳").status_code == 200


def test_register_without_csrf_token_is_refused(app, client, outbox):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "Reload the page" in page_text(response)
    assert signup_count(app) == 0 and outbox == []


def test_confirming_without_csrf_token_is_refused(app, client, outbox):
    link = sign_up(client, outbox)
    assert app.test_client().post(link).status_code == 400
    assert user_count(app) == 0


def test_signed_in_user_is_sent_home_from_register(client, create_user, login):
    login(client, create_user())
    response = client.get("/register")
    assert response.status_code == 302


def test_accounts_made_by_the_admin_command_can_sign_in_at_once(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--username", "boss", "--email", "boss@example.com"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert client.submit("/login", {"login": "boss", "password": PASSWORD}).status_code == 302
