"""Error pages in a browser: a 404 for a signed-in person and the 503 shown while the database
is down, both without the database, in English and Chinese, on a desktop and a phone."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TEXT = {
    "en": ("Page not found", "Briefly unavailable"),
    "zh-CN": ("找不到页面", "暂时无法访问"),
}


# The down server runs in a process of its own: this process's one Socket.IO server belongs to
# the live server, and an app made here would take it over (live pushes would go astray).
DOWN_SERVER = """
import sys
from werkzeug.serving import make_server
from community import create_app
from community.config import TestingConfig
app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=sys.argv[1], SEARCH_INDEX_DIR=sys.argv[2])
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def down_server(tmp_path_factory):
    """The app served with its PostgreSQL server gone (a port nobody listens on)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    database = f"postgresql+psycopg://cocreate:x@127.0.0.1:{port}/cocreate"
    search = str(tmp_path_factory.mktemp("down") / "search")
    server = subprocess.Popen(  # noqa: S603 - our interpreter and code, our arguments
        [sys.executable, "-c", DOWN_SERVER, database, search],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        yield f"http://127.0.0.1:{int(server.stdout.readline())}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", TEXT)
def test_error_pages_without_the_database(
    browser, base_url, down_server, live_user, sign_in, size, language
):
    not_found, unavailable = TEXT[language]
    context = browser.new_context(base_url=base_url, viewport=SIZES[size])
    page = context.new_page()
    person = live_user()
    sign_in(page, person.username)
    page.set_extra_http_headers({"Accept-Language": language})
    response = page.goto("/ideas/999999")
    assert response.status == 404
    expect(page.get_by_role("heading", name=not_found)).to_be_visible()
    page.screenshot(path=f"test-results/error-404-{language}-{size}.png", full_page=True)
    page.get_by_role("link", name="Cocreate").first.click()
    expect(page).to_have_url(base_url + "/")

    response = page.goto(down_server + "/spaces")
    assert response.status == 503
    expect(page.get_by_role("heading", name=unavailable)).to_be_visible()
    page.screenshot(path=f"test-results/error-503-{language}-{size}.png", full_page=True)
    context.close()
