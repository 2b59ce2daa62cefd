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
