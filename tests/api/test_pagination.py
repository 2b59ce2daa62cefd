"""Every list of the API pages the same way: ``page`` and ``per_page`` (1 to 100) are bounded
like every other argument, and the ``next``/``prev`` links carry the filters and page size
they were made with, so following them walks the whole list once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest


@pytest.fixture
def many(
    create_space, space_owner, create_user, add_member, create_idea, create_article, create_thread
):
    """Seven ideas, articles and replies in a public space, and a member's token."""
    space = create_space("Imaging")
    member = create_user("casey")
    add_member(space, member)
    thread = create_thread(space, member, title="Detector drift")
    return {
        "space": space,
        "member": member,
        "thread": thread,
        "ideas": [create_idea(space, member, title=f"Calibration idea {n}").id for n in range(7)],
        "articles": [
            create_article(space, space_owner, title=f"Calibration article {n}").id
            for n in range(7)
        ],
    }


def walk(call, token, url: str) -> list[dict]:
    """Every item of a list, following ``next`` from ``url``; checks each page's links."""
    items, seen = [], 0
    while url:
        response = call("GET", url, token)
        assert response.status_code == 200, (url, response.json)
        body = response.json
        items += body["data"]
        seen += 1
        assert seen <= 20, "next links go round in circles"
        pagination = body["pagination"]
        if pagination["next"]:
            query = parse_qs(urlsplit(pagination["next"]).query)
            assert query["per_page"] == [str(pagination["per_page"])]
            assert query["page"] == [str(pagination["page"] + 1)]
        url = pagination["next"]
    return items


@pytest.mark.parametrize(
    "path, key",
    [
        ("/api/v1/ideas?sort=title&order=asc&status=new", "ideas"),
        ("/api/v1/articles?q=calibration", "articles"),
        ("/api/v1/search?q=calibration&kind=idea&sort=date", "ideas"),
    ],
)
def test_following_next_walks_every_item_once(call, api_token, many, path, key):
    token = api_token(many["member"])
    items = walk(call, token, f"{path}&per_page=2")
    ids = [int(str(item["id"]).rpartition(":")[2]) for item in items]
    assert sorted(ids) == sorted(many[key])
    first = call("GET", f"{path}&per_page=2", token).json["pagination"]
    assert first["per_page"] == 2 and first["pages"] == 4 and first["prev"] is None
    next_query = parse_qs(urlsplit(first["next"]).query)
    for name, values in parse_qs(urlsplit(path).query).items():
        assert next_query[name] == values  # the filters go along


def test_every_list_takes_a_page_size(call, api_token, many, create_reply):
    token = api_token(many["member"])
    for _ in range(3):
        create_reply(many["thread"], many["member"])
    slug, thread = many["space"].slug, many["thread"].id
    for url in (
        "/api/v1/spaces?per_page=1",
        f"/api/v1/spaces/{slug}/threads?per_page=1",
        f"/api/v1/threads/{thread}/posts?per_page=1",
        "/api/v1/ideas?per_page=1",
        "/api/v1/articles?per_page=1",
        "/api/v1/search?q=calibration&per_page=1",
    ):
        body = call("GET", url, token).json
        assert len(body["data"]) == 1 and body["pagination"]["per_page"] == 1, url
    assert len(walk(call, token, f"/api/v1/threads/{thread}/posts?per_page=2")) == 3


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=101",
        "per_page=-1",
        "per_page=two",
        "per_page=1.5",
        "per_page=99999999999999999999",
        "page=0",
        "page=99999999999999999999",
        "page=2147483648",
        "created_from=9999-12-31",
        "created_from=0001-01-01",
        "created_from=2024-02-30",
        "created_to=now",
        "created_from=2026-03-01&created_to=2026-02-01",
        "sort=bogus",
        "votes_min=-1",
    ],
)
def test_out_of_range_arguments_are_named_in_a_422(call, api_token, many, query):
    token = api_token(many["member"])
    response = call("GET", f"/api/v1/ideas?{query}", token)
    assert response.status_code == 422
    name = query.split("=")[0]
    assert name in response.json["error"]["fields"]


def test_empty_arguments_count_as_not_given(call, api_token, many):
    token = api_token(many["member"])
    body = call("GET", "/api/v1/ideas?per_page=&created_from=&status=&page=", token).json
    assert body["pagination"]["per_page"] == 20 and len(body["data"]) == 7
