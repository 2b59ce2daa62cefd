"""Script in any user text is neutralised wherever it is shown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from community.permissions import Role

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href='javascript:alert(1)'>x</a>",
]


class TagCollector(HTMLParser):
    """Every start tag with its real (parsed, unescaped) attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    collector = TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        names = dict(attrs)
        if tag == "script":
            assert (names.get("src") or "").startswith("/static/"), attrs
        assert tag not in {"iframe", "object", "embed", "svg"}, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, attrs)
            if name in {"href", "src", "action", "formaction"} and value:
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_field_are_inert(app, client, create_user, login, payload):
    author = create_user(display_name=payload[:80], role=Role.MODERATOR)
    login(client, author)
    client.submit(
        "/settings/profile",
        {
            "display_name": payload[:80],
            "bio": payload,
            "organisation": payload[:120],
            "segment": "",
            "locale": "",
        },
    )
    response = client.submit(
        "/spaces/new",
        {
            "name": payload[:80],
            "slug": "xss",
            "description": payload,
            "tags": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    response = client.submit(
        "/s/xss/new", {"kind": "question", "title": payload[:200], "body": payload, "tags": ""}
    )
    assert response.status_code == 302
    thread_url = response.location
    client.submit(f"{thread_url}/reply", {"body": payload})
    for url in [
        "/spaces",
        "/spaces?partial=1",
        "/s/xss",
        "/s/xss/about",
        "/s/xss/members",
        thread_url,
        f"/u/{author.username}",
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert_inert(page.get_data(as_text=True))


def test_tags_refuse_markup(client, create_user, login):
    login(client, create_user(role=Role.MODERATOR))
    response = client.submit(
        "/spaces/new",
        {
            "name": "X",
            "slug": "x",
            "description": "",
            "tags": "<img src=x onerror=alert(1)>",
            "visibility": "public",
        },
    )
    assert response.status_code == 200 and "Tags use letters" in response.get_data(as_text=True)
