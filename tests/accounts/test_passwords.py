"""Password reset by e-mail and password change, including every refusal."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import PasswordResetToken
from community.database import utcnow
from community.extensions import db
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.app import page_text

NEW = "a brand new passphrase"


def reset_link(message) -> str:
    match = re.search(r"http://localhost(/password/reset/[\w-]+)", message.text)
    assert match, message.text
    return match.group(1)


def test_forgot_password_mails_a_link_that_resets_once(client, create_user, outbox, login):
    user = create_user("ivan", email="ivan@example.com", display_name="Ivan")
    response = client.submit("/password/forgot", {"email": "IVAN@example.com"})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0].to == "ivan@example.com"
    assert "Reset your Cocreate password" in outbox[0].subject
    link = reset_link(outbox[0])

    assert client.get(link).status_code == 200
    done = client.submit(link, {"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location == "/login"

    again = client.submit(
        link, {"password": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert again.status_code == 400
    assert "no longer works" in page_text(again)
    assert client.submit("/login", {"login": "ivan", "password": PASSWORD}).status_code == 200
    login(client, user, password=NEW)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, create_user, outbox):
    create_user("judy")
    known = client.submit("/password/forgot", {"email": "judy@example.com"}, follow_redirects=True)
    unknown = client.submit("/password/forgot", {"email": "zed@example.com"}, follow_redirects=True)
    assert "If an account uses that address" in page_text(known)
    assert "If an account uses that address" in page_text(unknown)
    assert len(outbox) == 1


def test_malformed_address_is_refused(client, outbox):
    response = client.submit("/password/forgot", {"email": "nonsense"})
    assert response.status_code == 200
    assert "Invalid email address." in page_text(response)
    assert outbox == []


def test_wrong_token_is_refused(client, create_user):
    create_user()
    for token in ("not-a-real-token", "x" * 43):
        assert client.get(f"/password/reset/{token}").status_code == 400
        response = client.submit(f"/password/reset/{token}", {"password": NEW, "confirm": NEW})
        assert response.status_code == 400


def test_expired_token_is_refused(app, client, create_user, outbox):
    create_user("ken")
    client.submit("/password/forgot", {"email": "ken@example.com"})
    with app.app_context():
        for row in db.session.scalars(select(PasswordResetToken)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.submit(reset_link(outbox[0]), {"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert client.submit("/login", {"login": "ken", "password": NEW}).status_code == 200


def test_weak_new_password_keeps_the_token_usable(client, create_user, outbox):
    create_user("leo")
    client.submit("/password/forgot", {"email": "leo@example.com"})
    link = reset_link(outbox[0])
    weak = client.submit(link, {"password": "short", "confirm": "short"})
    assert weak.status_code == 200
    assert "Use at least 10 characters." in page_text(weak)
    assert client.submit(link, {"password": NEW, "confirm": NEW}).status_code == 302


def test_only_a_digest_of_the_token_is_stored(app, client, create_user, outbox):
    create_user("mia")
    client.submit("/password/forgot", {"email": "mia@example.com"})
    token = reset_link(outbox[0]).rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalar(select(PasswordResetToken.token_hash))
    assert token not in stored and len(stored) == 64


def test_reset_signs_out_other_sessions_and_spends_all_tokens(app, create_user, outbox, login):
    user = create_user("nina", display_name="Nina Reset")
    other = app.test_client()
    login(other, user)
    requester = app.test_client()
    requester.submit("/password/forgot", {"email": "nina@example.com"})
    requester.submit("/password/forgot", {"email": "nina@example.com"})
    first, second = (reset_link(m) for m in outbox[:2])
    requester.submit(first, {"password": NEW, "confirm": NEW})
    assert "Nina Reset" not in page_text(other.get("/"))
    assert requester.get(second).status_code == 400


def test_change_password_signs_out_other_sessions_only(app, create_user, login, outbox):
    user = create_user("olga", display_name="Olga Change")
    here, elsewhere, remembered = app.test_client(), app.test_client(), app.test_client()
    login(here, user, remember=True)
    login(elsewhere, user)
    login(remembered, user, remember=True)
    remembered.delete_cookie("session")

    response = here.submit(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    assert response.status_code == 302
    assert "Olga Change" in page_text(here.get("/"))
    assert "Olga Change" not in page_text(elsewhere.get("/"))
    assert "Olga Change" not in page_text(remembered.get("/"))
    # The changing browser's own remember cookie was renewed, not ended.
    restored = app.test_client()
    restored.set_cookie("remember_token", here.get_cookie("remember_token").value)
    assert "Olga Change" in page_text(restored.get("/"))
    assert [m.subject for m in outbox] == ["Your Cocreate password was changed"]


def test_change_password_refusals(client, create_user, login, outbox):
    login(client, create_user("pia"))
    cases = [
        (
            {"current_password": "wrong one here", "new_password": NEW, "confirm": NEW},
            "not correct",
        ),
        ({"current_password": PASSWORD, "new_password": "tiny", "confirm": "tiny"}, "at least 10"),
        ({"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"}, "differ"),
        ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}, "haven't"),
    ]
    for data, message in cases:
        response = client.submit("/settings/password", data)
        assert response.status_code == 200
        assert message in page_text(response)
    assert outbox == []
    assert client.post("/settings/password", data=cases[0][0]).status_code == 400


def test_password_pages_require_sign_in(client):
    response = client.get("/settings/password")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_a_reset_revokes_api_tokens_and_says_so(client, create_user, outbox, api_token, call):
    user = create_user("quinn", email="quinn@example.com")
    secrets = [api_token(user, name="Report"), api_token(user, scope="write", name="Sync")]
    assert call("GET", "/api/v1/me", secrets[0]).status_code == 200
    client.submit("/password/forgot", {"email": "quinn@example.com"})
    done = client.submit(
        reset_link(outbox[0]), {"password": NEW, "confirm": NEW}, follow_redirects=True
    )
    assert "Your 2 API tokens were revoked too" in page_text(done)
    for secret in secrets:
        refused = call("GET", "/api/v1/me", secret)
        assert refused.status_code == 401 and "revoked" in refused.json["error"]["message"]
    mail = outbox[-1]
    assert mail.subject == "Your Cocreate password was changed"
    assert "Your 2 API tokens were revoked too" in mail.text
    assert client.submit("/login", {"login": "quinn", "password": NEW}).status_code == 302
    assert "You have no tokens." in page_text(client.get("/settings/api-tokens"))


def test_a_change_revokes_api_tokens_too_in_the_owners_language(
    app, client, create_user, login, outbox, api_token, call
):
    user = create_user("rosa", locale="zh_Hans")
    secret = api_token(user)
    login(client, user)
    done = client.submit(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
        follow_redirects=True,
    )
    assert call("GET", "/api/v1/me", secret).status_code == 401
    assert "你的 1 个 API 令牌也已被撤销" in page_text(done)
    assert "你的 1 个 API 令牌也已被撤销" in outbox[-1].text


def test_no_word_of_api_tokens_to_those_without(client, create_user, login, outbox):
    login(client, create_user("sven"))
    done = client.submit(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
        follow_redirects=True,
    )
    assert "API token" not in page_text(done)
    assert "API token" not in outbox[-1].text
    assert "every other session was signed out" in outbox[-1].text
