"""Search fixtures: a space with threads, and a helper to search as a given client."""

from __future__ import annotations

import pytest

from community.search.service import search_service


@pytest.fixture
def backend(app):
    with app.app_context():
        return search_service().backend


@pytest.fixture
def found(client):
    """``found("words", client=c)`` → the result titles a visitor gets on the search page."""
    import re

    def titles(q: str, c=None, **params) -> list[str]:
        response = (c or client).get("/search", query_string={"q": q, **params})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return [
            re.sub(r"<[^>]+>", "", t).strip()
            for t in re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">(.*?)</a>', html, re.S)
        ]

    return titles
