"""Error pages in the site's layout, and JSON errors under /api/."""

from __future__ import annotations

from tests.fixtures.app import make_app, page_text


def test_not_found_page_uses_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text and "Back to the front page" in text and "Cocreate" in text


def test_api_paths_get_json_errors(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json == {
        "error": {
            "code": 404,
            "title": "Page not found",
            "message": "There is nothing here, or you can't see it.",
        }
    }


def test_forbidden_page(client, create_user, login):
    login(client, create_user())
    response = client.get("/admin/users")
    assert response.status_code == 403 and "Not allowed" in page_text(response)


def test_method_not_allowed(client):
    assert client.get("/logout").status_code == 405


def test_server_error_page_hides_details(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    text = page_text(response)
    assert "Something went wrong" in text and "secret internals" not in text


def test_error_pages_are_translated(client):
    response = client.get("/missing", headers={"Accept-Language": "zh-CN"})
    assert "找不到页面" in page_text(response)


def test_ids_too_large_for_the_database_are_not_found(client):
    too_large = ["/t/99999999999999999999", "/ideas/2147483648", "/api/v1/ideas/9223372036854"]
    for url in too_large:
        assert client.get(url).status_code == 404, url


MIB = 1024 * 1024


def test_an_oversize_api_body_gets_a_json_413_and_changes_nothing(
    app, call, cast, create_idea, api_token
):
    from community.extensions import db
    from community.ideas.models import Idea

    idea = create_idea(cast.space, cast.asker)
    secret = api_token(cast.owner, "write")
    body = {"status": "planned", "response": "x" * (2 * MIB)}
    response = call("POST", f"/api/v1/ideas/{idea.id}/status", secret, json=body)
    assert response.status_code == 413
    assert response.json["error"]["code"] == 413
    assert "at most 1 MB" in response.json["error"]["message"]
    with app.app_context():
        assert db.session.get(Idea, idea.id).status == idea.status


def test_an_oversize_form_gets_the_413_page(client):
    response = client.submit("/login", {"login": "x" * (2 * MIB), "password": "y"})
    assert response.status_code == 413
    assert "Too large" in page_text(response) and "at most 1 MB" in page_text(response)


def test_an_oversize_body_is_refused_even_where_no_one_reads_it(client):
    response = client.get("/", data=b"x" * (MIB + 1))
    assert response.status_code == 413
    json = client.get("/api/v1/spaces", data=b"x" * (MIB + 1))
    assert json.status_code == 413 and json.json["error"]["code"] == 413


def test_the_longest_post_in_emoji_is_not_too_large(app, client, login, cast, create_thread):
    from community.extensions import db
    from community.forums.models import BODY_MAX, Post

    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        response = client.submit(
            f"/t/{thread.id}/reply", {"body": "🙂" * BODY_MAX}, content_type=content_type
        )
        assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.max(db.func.length(Post.body_source)))) == BODY_MAX
        )


def test_the_body_limit_is_configurable(monkeypatch, tmp_path):
    from community import create_app
    from community.config import DevelopmentConfig

    monkeypatch.setenv("COCREATE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    app = create_app(DevelopmentConfig)
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_FORM_MEMORY_SIZE"] == 2048
    assert app.test_client().post("/login", data={"login": "x" * 4096}).status_code == 413
