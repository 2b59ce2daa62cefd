"""Every resource, as outsiders, members and staff see it: the same permissions as the pages."""

from __future__ import annotations

import pytest

from community.permissions import Role


@pytest.fixture
def world(create_space, create_user, add_member, create_thread, create_reply, create_idea):
    """A public and a private space, each with a question (answered) and an idea."""
    public = create_space("Imaging", tags="radiology")
    private = create_space("Secret lab", visibility="private")
    member, outsider = create_user("casey"), create_user("outsider")
    add_member(public, member)
    add_member(private, member)
    question = create_thread(public, member, title="Detector drift", tags="calibration")
    create_reply(question, member, body="Recalibrate **weekly**.")
    hidden_thread = create_thread(private, member, title="Prototype sensor")
    return {
        "public": public,
        "private": private,
        "member": member,
        "outsider": outsider,
        "question": question,
        "hidden_thread": hidden_thread,
        "idea": create_idea(public, member, title="Dark mode", tags="ui"),
        "hidden_idea": create_idea(private, member, title="Secret feature"),
    }


def test_spaces_list_and_detail_hide_private_spaces(call, api_token, world):
    outsider = api_token(world["outsider"])
    listed = call("GET", "/api/v1/spaces", outsider).json
    assert [s["slug"] for s in listed["data"]] == [world["public"].slug]
    assert listed["pagination"]["total"] == 1
    assert listed["pagination"]["next"] is None
    assert call("GET", f"/api/v1/spaces/{world['private'].slug}", outsider).status_code == 404
    member = api_token(world["member"])
    slugs = {s["slug"] for s in call("GET", "/api/v1/spaces", member).json["data"]}
    assert slugs == {world["public"].slug, world["private"].slug}
    detail = call("GET", f"/api/v1/spaces/{world['public'].slug}", member).json["data"]
    assert detail["tags"] == ["radiology"]
    assert detail["url"].endswith(f"/s/{world['public'].slug}")


def test_anonymous_callers_see_public_content(call, world):
    assert call("GET", f"/api/v1/threads/{world['question'].id}").status_code == 200
    assert call("GET", f"/api/v1/threads/{world['hidden_thread'].id}").status_code == 404
    assert call("GET", "/api/v1/me").status_code == 401


def test_threads_and_posts(call, api_token, world):
    token = api_token(world["outsider"])
    threads = call("GET", f"/api/v1/spaces/{world['public'].slug}/threads", token).json["data"]
    assert [t["title"] for t in threads] == ["Detector drift"]
    assert threads[0]["tags"] == ["calibration"]
    assert threads[0]["reply_count"] == 1
    thread = call("GET", f"/api/v1/threads/{world['question'].id}", token).json["data"]
    assert thread["opening_post"]["body"] == "How do I calibrate the detector?"
    posts = call("GET", f"/api/v1/threads/{world['question'].id}/posts", token).json
    assert posts["data"][0]["body_html"].strip() == "<p>Recalibrate <strong>weekly</strong>.</p>"
    assert posts["pagination"]["total"] == 1
    private = world["private"].slug
    assert call("GET", f"/api/v1/spaces/{private}/threads", token).status_code == 404
    assert call("GET", f"/api/v1/threads/{world['hidden_thread'].id}", token).status_code == 404
    hidden = world["hidden_thread"].id
    assert call("GET", f"/api/v1/threads/{hidden}/posts", token).status_code == 404
    filtered = call("GET", f"/api/v1/spaces/{world['public'].slug}/threads?status=solved", token)
    assert filtered.json["data"] == []


def test_ideas_list_filters_and_privacy(call, api_token, world):
    outsider = api_token(world["outsider"])
    titles = [i["title"] for i in call("GET", "/api/v1/ideas", outsider).json["data"]]
    assert titles == ["Dark mode"]
    assert call("GET", f"/api/v1/ideas/{world['hidden_idea'].id}", outsider).status_code == 404
    member = api_token(world["member"])
    assert {i["title"] for i in call("GET", "/api/v1/ideas", member).json["data"]} == {
        "Dark mode",
        "Secret feature",
    }
    tagged = call("GET", "/api/v1/ideas?tag=ui&sort=votes&votes_min=0", member).json["data"]
    assert [i["title"] for i in tagged] == ["Dark mode"]
    in_space = call("GET", f"/api/v1/ideas?space={world['private'].slug}", outsider)
    assert in_space.status_code == 404
    detail = call("GET", f"/api/v1/ideas/{world['idea'].id}", member).json["data"]
    assert detail["tags"] == ["ui"]
    assert detail["voted"] is False


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("status=bogus", "status"),
        ("sort=random", "sort"),
        ("tag=" + "x" * 31, "tag"),
    ],
)
def test_bad_list_parameters_are_refused_with_the_field(call, world, query, field):
    response = call("GET", f"/api/v1/ideas?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == 422
    assert field in response.json["error"]["fields"]


def test_voting_through_the_api(call, api_token, world, create_user):
    member = api_token(world["member"], "write")
    idea = world["idea"].id
    voted = call("PUT", f"/api/v1/ideas/{idea}/vote", member).json["data"]
    assert voted == {"idea_id": idea, "voted": True, "vote_count": 1, "votes_left": None}
    again = call("PUT", f"/api/v1/ideas/{idea}/vote", member).json["data"]
    assert again["vote_count"] == 1
    assert call("DELETE", f"/api/v1/ideas/{idea}/vote", member).json["data"]["vote_count"] == 0
    hidden = world["hidden_idea"].id
    outsider = api_token(world["outsider"], "write")
    assert call("PUT", f"/api/v1/ideas/{hidden}/vote", outsider).status_code == 404


def test_status_change_is_for_staff(call, api_token, world, space_owner):
    idea = world["idea"].id
    body = {"status": "planned", "response": "On the roadmap for spring."}
    member = api_token(world["member"], "write")
    assert call("POST", f"/api/v1/ideas/{idea}/status", member, json=body).status_code == 403
    staff = api_token(space_owner, "write")
    missing = call("POST", f"/api/v1/ideas/{idea}/status", staff, json={"status": "planned"})
    assert missing.status_code == 422
    assert "response" in missing.json["error"]["fields"]
    changed = call("POST", f"/api/v1/ideas/{idea}/status", staff, json=body)
    assert changed.status_code == 200
    assert changed.json["data"]["status"] == "planned"
    detail = call("GET", f"/api/v1/ideas/{idea}", member).json["data"]
    assert detail["status"] == "planned"


def test_products_and_releases(call, world, create_product, create_release):
    product = create_product([world["public"]], name="Scanner")
    create_release(product, "2.1.0", notes="Faster **boot**.")
    listed = call("GET", "/api/v1/products").json["data"]
    assert [p["slug"] for p in listed] == [product.slug]
    releases = call("GET", f"/api/v1/products/{product.slug}/releases").json["data"]
    assert releases[0]["version"] == "2.1.0"
    assert "<strong>boot</strong>" in releases[0]["notes_html"]
    release = call("GET", f"/api/v1/releases/{releases[0]['id']}").json["data"]
    assert release["product"] == product.slug
    assert call("GET", "/api/v1/products/nope").status_code == 404
    assert call("GET", "/api/v1/releases/999").status_code == 404


def test_unknown_api_paths_answer_in_json(call):
    response = call("GET", "/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404


def test_the_openapi_document_describes_every_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ["/api/v1/ideas", "/api/v1/ideas/{idea_id}/vote", "/api/v1/spaces/{slug}/threads"]:
        assert path in paths
    assert set(paths["/api/v1/ideas/{idea_id}/vote"]) >= {"put", "delete"}
    assert "token" in spec["components"]["securitySchemes"]
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert len(api_rules) == sum(len(set(ops) - {"parameters"}) for ops in paths.values())
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.get_data(as_text=True)


def test_role_is_reported_for_staff(call, api_token, create_user):
    admin = create_user("root", role=Role.ADMIN)
    assert call("GET", "/api/v1/me", api_token(admin)).json["data"]["role"] == "admin"


def test_lists_run_a_bounded_number_of_queries(
    call,
    api_token,
    count_queries,
    create_space,
    create_user,
    add_member,
    create_idea,
    create_thread,
):
    space = create_space()
    token = api_token(create_user())
    call("GET", "/api/v1/me", token)  # the first use of a token records it

    def add_authors(number: int) -> None:
        for _ in range(number):
            author = create_user()
            add_member(space, author)
            create_idea(space, author, tags="ui, speed")
            create_thread(space, author, tags="setup")

    counts = []
    for more in (3, 9):
        add_authors(more)
        with count_queries() as ideas:
            call("GET", "/api/v1/ideas", token)
        with count_queries() as threads:
            call("GET", f"/api/v1/spaces/{space.slug}/threads", token)
        counts.append((len(ideas), len(threads)))
    assert counts[0] == counts[1], counts


def test_ideas_list_takes_the_explorer_filters(call, api_token, world, create_idea):
    token = api_token(world["member"])
    create_idea(world["public"], world["member"], title="Offline mode", tags="ui")
    found = call("GET", "/api/v1/ideas?q=mode&sort=title&order=asc", token).json
    assert [i["title"] for i in found["data"]] == ["Dark mode", "Offline mode"]
    assert "q=mode" in (found["pagination"]["next"] or "q=mode")
    assert call("GET", "/api/v1/ideas?q=secret", token).json["data"][0]["title"] == (
        "Secret feature"
    )
    assert call("GET", "/api/v1/ideas?q=secret", api_token(world["outsider"])).json["data"] == []
    crossed = call("GET", "/api/v1/ideas?votes_min=3&votes_max=1", token)
    assert crossed.status_code == 422
    assert "votes_min" in crossed.json["error"]["fields"]
    assert call("GET", "/api/v1/ideas?product=nope", token).status_code == 404
    assert call("GET", "/api/v1/ideas?created_from=2001-02-30", token).status_code == 422


def test_articles_and_search(call, api_token, world, create_article, space_owner):
    public = create_article(world["public"], space_owner, title="Calibrating the detector")
    create_article(world["private"], space_owner, title="Calibrating the secret sensor")
    draft = create_article(world["public"], space_owner, title="Calibration draft", publish=False)
    site = create_article(None, space_owner, title="Calibration basics")
    outsider = api_token(world["outsider"])
    titles = {a["title"] for a in call("GET", "/api/v1/articles", outsider).json["data"]}
    assert titles == {"Calibrating the detector", "Calibration basics"}
    detail = call("GET", f"/api/v1/articles/{public.id}", outsider).json["data"]
    assert detail["space"] == world["public"].slug and "Calibrate" in detail["body_html"]
    assert "space" not in call("GET", f"/api/v1/articles/{site.id}", outsider).json["data"]
    assert call("GET", f"/api/v1/articles/{draft.id}", outsider).status_code == 404
    owner = api_token(space_owner)
    drafts = call("GET", "/api/v1/articles?status=draft", owner).json["data"]
    assert [a["title"] for a in drafts] == ["Calibration draft"]

    found = call("GET", "/api/v1/search?q=calibrating&kind=article", outsider).json
    hits = {hit["id"]: hit["title"] for hit in found["data"]}  # stemmed: calibration too
    assert hits == {
        f"article:{public.id}": "Calibrating the detector",
        f"article:{site.id}": "Calibration basics",
    }
    assert call("GET", "/api/v1/search", outsider).status_code == 422
    drift = call("GET", "/api/v1/search?q=drift", outsider).json["data"]
    assert [hit["kind"] for hit in drift] == ["thread"]
