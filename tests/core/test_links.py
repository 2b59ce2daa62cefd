"""A list page's row links built once (``community.web.links``): each is the link ``url_for``
builds, whatever the value (#22)."""

from __future__ import annotations

import pytest
from flask import url_for

from community.web.links import MARK, LinkPattern

TAGS = ["imaging", "细胞", "two words", "a&b=c", "#x", "50%", "c++", "it's/ok?", "\u00e9t\u00e9"]


def test_ids_in_the_path_and_values_in_the_query_as_url_for_builds_them(app):
    with app.test_request_context():
        thread, vote = (
            LinkPattern("forums.thread", "thread_id"),
            LinkPattern("ideas.vote", "idea_id"),
        )
        for number in (1, 42, 10**12):
            assert thread(number) == url_for("forums.thread", thread_id=number)
            assert vote(number) == url_for("ideas.vote", idea_id=number)
        tags = LinkPattern("forums.space", "tag", slug="imaging-workflows")
        ideas = LinkPattern("ideas.all_ideas", "tag")
        for tag in TAGS:
            assert tags(tag) == url_for("forums.space", slug="imaging-workflows", tag=tag)
            assert ideas(tag) == url_for("ideas.all_ideas", tag=tag)


def test_a_link_that_holds_the_marker_is_built_by_url_for(app):
    with app.test_request_context():
        slug = f"space-{MARK}"
        tags = LinkPattern("forums.space", "tag", slug=slug)
        assert tags("x") == url_for("forums.space", slug=slug, tag="x")


def test_a_path_link_takes_only_ids(app):
    with app.test_request_context(), pytest.raises(TypeError):
        LinkPattern("forums.thread", "thread_id")("1/../admin")
