"""Versioned static files (``community/web/assets.py``): every static URL a page holds names
the file's current content, such a URL may be kept by browsers for a year, and Swagger UI
(1.9 MB) is only loaded by the API documentation page."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from community.config import PROJECT_ROOT
from community.web import assets

STATIC = PROJECT_ROOT / "static"
TEMPLATES = PROJECT_ROOT / "templates"
STATIC_URL = re.compile(r"""(?:src|href)=["'](/static/[^"']+)["']""")
SLUGS = {"slug": "imaging-workflows", "username": "admin", "id": 1}


def _sha(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[: assets.HASH_LENGTH]


def _pages(app, client) -> dict[str, str]:
    """Every page an admin reaches by a GET without other arguments than a demo slug, a user
    name or id 1: their HTML by URL."""
    pages = {}
    with app.test_request_context():
        urls = set()
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if not set(rule.arguments) <= set(SLUGS):
                continue
            try:
                urls.add(url_for(rule.endpoint, **{a: SLUGS[a] for a in rule.arguments}))
            except Exception:  # noqa: S112 - a rule whose defaults this walk cannot fill
                continue
    for url in sorted(urls):
        if "/logout" in url or "/export" in url:
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
    return pages


@pytest.fixture
def admin_pages(demo_app):
    client = demo_app.test_client()
    client.submit("/login", {"login": "admin", "password": "cocreate-demo"})
    return _pages(demo_app, client)


def test_every_static_url_on_every_page_carries_its_file_s_hash(admin_pages):
    assert len(admin_pages) > 20 and "/api/v1/docs" in admin_pages
    seen = set()
    for url, html in admin_pages.items():
        for link in STATIC_URL.findall(html):
            parts = urlsplit(link.replace("&amp;", "&"))
            filename = parts.path.removeprefix("/static/")
            assert parse_qs(parts.query).get("v") == [_sha(filename)], (url, link)
            seen.add(filename)
    assert {"css/app.css", "js/app.js", "vendor/swagger-ui/swagger-ui-bundle.js"} <= seen


def test_swagger_ui_is_only_loaded_by_the_api_docs_page(admin_pages):
    for url, html in admin_pages.items():
        if url != "/api/v1/docs":
            assert "swagger" not in html.lower(), url
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in admin_pages["/api/v1/docs"]
    for template in TEMPLATES.rglob("*.html"):
        if template != TEMPLATES / "api" / "docs.html":
            assert "swagger" not in template.read_text().lower(), template


def test_templates_link_static_files_only_through_url_for():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"""(?:src|href)=["']/?static/""", text), template


def test_a_current_versioned_file_is_immutable_and_anything_else_is_not(app, client):
    with app.test_request_context():
        url = url_for("static", filename="js/app.js")
    assert url == f"/static/js/app.js?v={_sha('js/app.js')}"
    with client.get(url) as current:
        assert current.status_code == 200
        assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        body = current.get_data()
    for other in ("/static/js/app.js", "/static/js/app.js?v=0123456789ab", "/static/js/app.js?v="):
        with client.get(other) as response:
            assert response.status_code == 200 and response.get_data() == body
            assert "immutable" not in response.headers.get("Cache-Control", ""), other
    assert client.get("/static/js/nothing.js?v=0123456789ab").status_code == 404
    assert client.get("/static/../community/app.py").status_code == 404


def test_a_hash_is_computed_once_per_content(app, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    folder.mkdir()
    script = folder / "a.js"
    script.write_text("one")
    reads = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or read_bytes(self))
    first = assets.static_hash(str(folder), "a.js")
    assert assets.static_hash(str(folder), "a.js") == first and len(reads) == 1
    script.write_text("two, longer")
    second = assets.static_hash(str(folder), "a.js")
    assert second != first and len(reads) == 2
    assert assets.static_hash(str(folder), "missing.js") is None
    assert assets.static_hash(str(folder), "../static/a.js") is None
    assert assets.static_hash(str(folder), "a\x00.js") is None
