"""id_url: url_for's addresses, built once per request and endpoint, filled in with ids."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import url_for
from werkzeug.routing import BuildError, MapAdapter

from community.web.links import id_url

CASES = [
    ("forums.post", {"post_id": 1}),
    ("forums.post", {"post_id": 918_273_645_501_928_374}),  # the marker itself
    ("forums.thread", {"thread_id": 7, "quote": 12345, "_anchor": "reply"}),
    ("forums.thread", {"thread_id": 7, "page": 3, "quote": None}),
    ("moderation.flag", {"target_type": "post", "target_id": 42}),
    ("moderation.flag", {"target_type": "thread", "target_id": 42}),
    ("accounts.profile", {"username": "渡辺 a/b?c"}),  # no id: url_for itself
    ("forums.post", {"post_id": True}),  # a bool is no id
    ("forums.post", {"post_id": -1}),  # nor is a negative number
]


def test_same_addresses_as_url_for_and_built_once(app, monkeypatch):
    built: Counter = Counter()
    build = MapAdapter.build

    def counted(self, endpoint, values=None, *args, **kwargs):
        built[endpoint] += 1
        return build(self, endpoint, values, *args, **kwargs)

    with app.test_request_context("/"):
        expected = [url_for(endpoint, **values) for endpoint, values in CASES]
        monkeypatch.setattr(MapAdapter, "build", counted)
        for _ in range(3):
            assert [id_url(endpoint, **values) for endpoint, values in CASES] == expected
        assert [id_url("forums.post", post_id=n) for n in (5, 60, 700)] == [
            "/posts/5",
            "/posts/60",
            "/posts/700",
        ]
    # One pattern per endpoint and set of fixed values; calls without ids build every time.
    assert built == {
        "forums.post": 1 + 3 + 3,
        "forums.thread": 2,
        "moderation.flag": 2,
        "accounts.profile": 3,
    }


def test_refuses_what_url_for_refuses(app):
    with app.test_request_context("/"), pytest.raises(BuildError):
        id_url("forums.post", thread_id=3)
