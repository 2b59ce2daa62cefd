"""Personal API tokens: created and revoked in the settings; read or read-write; CSRF only for
cookie requests."""

from __future__ import annotations

import re

from community.api.models import TOKENS_MAX
from tests.fixtures.app import page_text


def test_create_use_and_revoke_a_token_in_the_settings(client, create_user, login, call):
    casey = create_user("casey")
    login(client, casey)
    page = client.get("/settings/api-tokens")
    assert "API tokens" in page_text(page)
    response = client.submit(
        "/settings/api-tokens", {"name": "Weekly report", "scope": "read"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    secret = re.search(r'value="(cc_[^"]+)"', html).group(1)
    assert "Weekly report" in html

    client.get("/logout")  # the token works without the session
    me = call("GET", "/api/v1/me", secret)
    assert me.status_code == 200
    assert me.json["data"]["username"] == "casey"
    assert me.json["data"]["token_scope"] == "read"

    login(client, casey)
    tokens_page = client.get("/settings/api-tokens").get_data(as_text=True)
    token_id = re.search(r"/settings/api-tokens/(\d+)/revoke", tokens_page).group(1)
    revoked = client.submit(f"/settings/api-tokens/{token_id}/revoke", follow_redirects=True)
    assert "Token “Weekly report” revoked." in page_text(revoked)
    assert "You have no tokens." in page_text(revoked)
    refused = call("GET", "/api/v1/me", secret)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == 401
    assert "revoked" in refused.json["error"]["message"]


def test_bad_token_input_is_refused_and_changes_nothing(client, create_user, login, api_token):
    casey = create_user("casey")
    login(client, casey)
    empty = client.submit("/settings/api-tokens", {"name": "  ", "scope": "read"})
    assert "Name the token" in page_text(empty)
    bad_scope = client.submit("/settings/api-tokens", {"name": "x", "scope": "admin"})
    assert bad_scope.status_code == 200
    assert "You have no tokens." in page_text(client.get("/settings/api-tokens"))
    for n in range(TOKENS_MAX):
        api_token(casey, name=f"t{n}")
    too_many = client.submit("/settings/api-tokens", {"name": "one more", "scope": "read"})
    assert "revoke one first" in page_text(too_many)
    assert "one more" not in page_text(client.get("/settings/api-tokens"))


def test_only_the_owner_revokes_a_token(client, create_user, login, api_token, call):
    casey, greta = create_user("casey"), create_user("greta")
    secret = api_token(casey)
    login(client, greta)
    assert client.submit("/settings/api-tokens/1/revoke").status_code == 404
    assert call("GET", "/api/v1/me", secret).status_code == 200


def test_wrong_tokens_and_schemes_are_refused(call, create_user, api_token):
    api_token(create_user("casey"))
    for header in ["Bearer cc_nope", "Bearer ", "Basic Y2FzZXk6eA==", "Bearer " + "x" * 300]:
        response = call("GET", "/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.is_json


def test_read_tokens_only_read(call, create_user, api_token, create_space, add_member, create_idea):
    space = create_space()
    casey = create_user("casey")
    add_member(space, casey)
    idea = create_idea(space, casey)
    reader = api_token(casey, "read")
    refused = call("PUT", f"/api/v1/ideas/{idea.id}/vote", reader)
    assert refused.status_code == 403
    assert "only read" in refused.json["error"]["message"]
    assert call("GET", f"/api/v1/ideas/{idea.id}", reader).json["data"]["vote_count"] == 0
    writer = api_token(casey, "write")
    assert call("PUT", f"/api/v1/ideas/{idea.id}/vote", writer).json["data"]["voted"] is True


def test_cookie_requests_need_csrf_but_token_requests_do_not(
    client, call, login, create_user, api_token, create_space, add_member, create_idea
):
    space = create_space()
    casey = create_user("casey")
    add_member(space, casey)
    idea = create_idea(space, casey)
    login(client, casey)
    without = client.put(f"/api/v1/ideas/{idea.id}/vote")
    assert without.status_code == 400
    assert without.is_json
    with_csrf = client.put(
        f"/api/v1/ideas/{idea.id}/vote", headers={"X-CSRFToken": client.csrf_token()}
    )
    assert with_csrf.status_code == 200
    assert with_csrf.json["data"]["vote_count"] == 1
    client.get("/logout")
    by_token = call("DELETE", f"/api/v1/ideas/{idea.id}/vote", api_token(casey, "write"))
    assert by_token.status_code == 200
    assert by_token.json["data"]["vote_count"] == 0


def test_a_suspended_account_s_token_stops_working(app, call, create_user, api_token):
    from community.accounts.models import User
    from community.extensions import db

    casey = create_user("casey")
    secret = api_token(casey)
    with app.app_context():
        db.session.get(User, casey.id).active = False
        db.session.commit()
    assert call("GET", "/api/v1/me", secret).status_code == 401


def test_the_api_is_rate_limited_per_token(app, call, create_user, api_token):
    app.config["API_LIMIT"] = "3 per minute"
    secret = api_token(create_user("casey"))
    codes = [call("GET", "/api/v1/me", secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = call("GET", "/api/v1/me", secret)
    assert limited.json["error"]["code"] == 429
    assert call("GET", "/api/v1/me", api_token(create_user("greta"))).status_code == 200


def test_unknown_tokens_are_limited_per_address(app, call):
    app.config["API_LIMIT"] = "3 per minute"
    codes = [call("GET", "/api/v1/me", f"cc_{n:040d}").status_code for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    # Anything else from that address shares the budget, tokens or none.
    assert call("GET", "/api/v1/spaces", "not-even-a-token").status_code == 429
    assert call("GET", "/api/v1/spaces").status_code == 429


def test_a_person_s_tokens_and_session_share_one_budget(
    app, client, call, create_user, login, api_token
):
    app.config["API_LIMIT"] = "4 per minute"
    casey = create_user("casey")
    first, second = api_token(casey), api_token(casey)
    codes = [call("GET", "/api/v1/me", secret).status_code for secret in (first, second, first)]
    assert codes == [200, 200, 200]
    login(client, casey)
    assert client.get("/api/v1/me").status_code == 200
    assert call("GET", "/api/v1/me", second).status_code == 429
    assert client.get("/api/v1/me").status_code == 429
    # Someone else, even from the same address, has their own.
    assert call("GET", "/api/v1/me", api_token(create_user("greta"))).status_code == 200


def test_a_token_read_commits_nothing_yet_last_used_moves(
    app, call, create_user, api_token, count_commits
):
    """The token's ``last_used_at`` is written after the request in a transaction of its
    own, at most every few minutes; the request itself never commits on a GET."""
    from datetime import timedelta

    from sqlalchemy import select

    from community.api.models import ApiToken
    from community.database import utcnow
    from community.extensions import db

    secret = api_token(create_user("reader"))
    with count_commits() as commits:
        assert call("GET", "/api/v1/me", secret).status_code == 200
    assert commits == []
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at))
    assert used is not None and utcnow() - used < timedelta(minutes=1)
    with count_commits() as commits:
        assert call("GET", "/api/v1/me", secret).status_code == 200
    assert commits == []
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) == used  # throttled
