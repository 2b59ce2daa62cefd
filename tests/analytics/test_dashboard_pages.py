"""The dashboard pages: who may see them, bad filters, CSV parsed back, bounded queries."""

from __future__ import annotations

import csv
import io

import pytest

from community.permissions import Role
from tests.fixtures.app import page_text


@pytest.fixture
def analyst(client, create_user, login):
    user = create_user("ana", role=Role.ANALYST)
    login(client, user)
    return user


def test_members_and_experts_may_not_see_the_dashboard(client, create_user, login):
    for role in (Role.MEMBER, Role.EXPERT):
        login(client, create_user(role=role))
        for view in ("funnel", "demand", "knowledge", "participation"):
            assert client.get(f"/analytics/{view}").status_code == 403
            assert client.get(f"/analytics/{view}.csv").status_code == 403
        client.submit("/logout")


def test_every_view_renders_for_an_analyst(
    client, analyst, create_space, create_user, add_member, create_idea, vote_for
):
    space = create_space("Imaging")
    author = create_user("author", segment="enterprise", organisation="Acme")
    add_member(space, author)
    vote_for(create_idea(space, author, title="Dark mode", tags="ui"), author)
    assert client.get("/analytics/").status_code == 302
    for view, expected in [
        ("funnel", "Ideas by status"),
        ("demand", "Dark mode"),
        ("knowledge", "Questions asked"),
        ("participation", "Imaging"),
    ]:
        response = client.get(f"/analytics/{view}")
        assert response.status_code == 200
        assert expected in page_text(response), view


def test_bad_filters_are_named_and_refused(client, analyst):
    """Wrong filters are a 400 that names them, with the form to fix them and no numbers
    (which would be for filters other than those asked for)."""
    response = client.get("/analytics/funnel?start=2026-12-01&end=2026-01-01&segment=x")
    text = page_text(response)
    assert response.status_code == 400
    assert "Fix this filter: From: The first date is after the last." in text
    assert "Fix this filter: Segment: Choose one of:" in text
    assert 'data-testid="kpi"' not in response.get_data(as_text=True)
    assert 'value="2026-12-01"' in response.get_data(as_text=True)
    # A start after today, with no end, is after the default end (today): refused too.
    alone = client.get("/analytics/funnel?start=2100-01-01")
    assert alone.status_code == 400 and "after the last" in page_text(alone)
    for day in ("9999-12-31", "0001-01-01", "2024-02-30", "now"):
        response = client.get(f"/analytics/participation?end={day}")
        assert response.status_code == 400, day
        assert "Fix this filter: Until" in page_text(response)
    assert client.get("/analytics/funnel?start=&end=").status_code == 200
    unknown = client.get("/analytics/demand?space=nowhere")
    assert unknown.status_code == 400 and "no such space" in page_text(unknown)
    assert client.get("/analytics/funnel.csv?start=never").status_code == 400
    assert client.get("/analytics/funnel.csv?start=2026-02-01&end=2026-01-01").status_code == 400


def test_csv_export_parses_back(
    client, analyst, create_space, create_user, add_member, create_idea, vote_for
):
    space = create_space("Imaging")
    for n in range(2):
        person = create_user(f"p{n}", segment="education", organisation="District 9")
        add_member(space, person)
        vote_for(create_idea(space, person, title=f"Idea {n}"), person)
    body = client.get("/analytics/demand.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(body)) if row]
    segments = [row for row in rows if row[0] == "segments"]
    assert segments == [["segments", "Education", "2", "2", "1"]]  # one organisation


def test_views_run_a_bounded_number_of_queries(
    client,
    analyst,
    count_queries,
    create_space,
    create_user,
    add_member,
    create_idea,
    vote_for,
    create_thread,
    create_reply,
):
    space = create_space()
    counts = []
    for more in (2, 8):
        for _ in range(more):
            person = create_user(segment="enterprise")
            add_member(space, person)
            vote_for(create_idea(space, person, tags="ui"), person)
            create_reply(create_thread(space, person), person)
        found = []
        for view in ("funnel", "demand", "knowledge", "participation"):
            with count_queries() as queries:
                client.get(f"/analytics/{view}")
            found.append(len(queries))
        counts.append(found)
    assert counts[0] == counts[1]


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-30", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_named_not_a_server_error(client, analyst, day):
    for view in ("funnel", "demand", "knowledge", "participation"):
        response = client.get(f"/analytics/{view}?end={day}")
        assert response.status_code == 400 and "Fix this filter: Until" in page_text(response)
        assert client.get(f"/analytics/{view}.csv?start={day}").status_code == 400
    response = client.get(f"/analytics/ideas?created_to={day}")
    assert response.status_code == 400 and "Fix this filter: Proposed until" in page_text(response)
    assert client.get(f"/analytics/ideas.csv?created_to={day}").status_code == 400
    assert client.get(f"/analytics/ideas.json?created_from={day}").status_code == 400
    assert client.get(f"/api/v1/ideas?created_to={day}").status_code == 422


def test_the_funnel_csv_and_page_show_ideas_with_no_product(
    client, analyst, create_space, create_user, add_member, create_idea
):
    space = create_space("Imaging")
    author = create_user("author")
    add_member(space, author)
    create_idea(space, author, title="Dark mode")
    body = client.get("/analytics/funnel.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(body)) if row]
    assert ["products", "No product", "1", "0", "0"] in rows
    chinese = client.get("/analytics/funnel", headers={"Accept-Language": "zh-CN"})
    assert "无产品" in page_text(chinese)


def test_the_knowledge_view_and_its_csv_honour_the_segment(
    client, analyst, create_space, create_user, add_member, create_thread, create_reply
):
    space = create_space("Imaging")
    firm = create_user("firm", segment="enterprise")
    school = create_user("school", segment="education")
    for person in (firm, school):
        add_member(space, person)
    create_thread(space, firm, title="Firm question")
    create_reply(create_thread(space, school, title="School question"), firm)

    def asked(query: str) -> list[str]:
        body = client.get(f"/analytics/knowledge.csv{query}").get_data(as_text=True)
        rows = csv.reader(io.StringIO(body.lstrip("\ufeff")))
        return next(row[1:] for row in rows if row[1:2] == ["Questions asked"])

    assert asked("") == ["Questions asked", "2"]
    assert asked("?segment=enterprise") == ["Questions asked", "1"]
    page = page_text(client.get("/analytics/knowledge?segment=education"))
    assert "Answered 100%" in page
