"""The idea explorer: filters combine, sorts, exports that parse back, bulk changes for
moderators (all or none), and nothing private for those who may not read it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from community.database import utcnow
from community.extensions import db
from community.ideas.models import Idea
from community.permissions import Role
from tests.fixtures.app import page_text


@pytest.fixture
def data(app, create_space, create_user, add_member, create_idea, vote_for, create_product):
    public = create_space("Imaging")
    private = create_space("Secret lab", visibility="private")
    authors = [create_user(f"author{n}") for n in range(2)]
    voters = [
        create_user(f"v{n}", segment="enterprise" if n < 2 else "education") for n in range(4)
    ]
    for person in authors + voters:
        add_member(public, person)
    add_member(private, authors[0])
    dark = create_idea(public, authors[0], title="Dark mode for the viewer", tags="ui")
    export = create_idea(public, authors[1], title="Export to DICOM", tags="dicom, export")
    offline = create_idea(public, authors[1], title="Offline mode", tags="ui")
    secret = create_idea(private, authors[0], title="Secret dark sensor", tags="ui")
    for voter in voters:  # dark: 4 votes (2 enterprise); export: 2 (education); offline: 0
        vote_for(dark, voter)
    for voter in voters[2:]:
        vote_for(export, voter)
    product = create_product([public], name="Viewer")
    with app.app_context():
        db.session.get(Idea, export.id).product_id = product.id
        db.session.get(Idea, offline.id).created_at = utcnow() - timedelta(days=40)
        db.session.commit()
    return {
        "dark": dark,
        "export": export,
        "offline": offline,
        "secret": secret,
        "product": product,
        "public": public,
        "private": private,
        "authors": authors,
    }


@pytest.fixture
def analyst(client, create_user, login):
    user = create_user("ana", role=Role.ANALYST)
    login(client, user)
    return user


def titles(response) -> list[str]:
    import re

    return re.findall(r'<a href="/ideas/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_members_may_not_open_the_explorer(client, create_user, login):
    login(client, create_user("casey"))
    assert client.get("/analytics/ideas").status_code == 403
    assert client.get("/analytics/ideas.csv").status_code == 403


def test_filters_combine(client, analyst, data):
    assert titles(client.get("/analytics/ideas")) == [
        "Dark mode for the viewer",
        "Export to DICOM",
        "Offline mode",
    ]
    assert titles(client.get("/analytics/ideas?q=mode")) == [
        "Dark mode for the viewer",
        "Offline mode",
    ]
    assert titles(client.get("/analytics/ideas?q=mode&tag=ui&votes_min=1")) == [
        "Dark mode for the viewer"
    ]
    assert titles(client.get(f"/analytics/ideas?product={data['product'].slug}")) == [
        "Export to DICOM"
    ]
    assert titles(client.get("/analytics/ideas?segment=education&sort=title&order=asc")) == [
        "Dark mode for the viewer",
        "Export to DICOM",
    ]
    enterprise = client.get("/analytics/ideas?segment=enterprise")
    assert titles(enterprise) == ["Dark mode for the viewer"]
    assert "From Enterprise" in page_text(enterprise)
    since = (utcnow() - timedelta(days=7)).date().isoformat()
    assert "Offline mode" not in titles(client.get(f"/analytics/ideas?created_from={since}"))
    assert titles(client.get("/analytics/ideas?votes_max=0")) == ["Offline mode"]


def test_private_ideas_stay_private(client, analyst, data):
    assert "Secret dark sensor" not in titles(client.get("/analytics/ideas?q=dark"))
    refused = client.get(f"/analytics/ideas?space={data['private'].slug}")
    assert "no such space" in page_text(refused)
    assert "Secret" not in client.get("/analytics/ideas.csv").get_data(as_text=True)


def test_bad_filters_are_named_and_refused(client, analyst, data):
    response = client.get("/analytics/ideas?votes_min=-3&status=bogus&created_from=tomorrow")
    text = page_text(response)
    assert response.status_code == 400
    for label in ["Votes ≥", "Status", "Proposed from"]:
        assert f"Fix this filter: {label}:" in text
    assert titles(response) == []
    crossed = client.get("/analytics/ideas?votes_min=5&votes_max=1")
    assert crossed.status_code == 400
    assert "The lowest vote count is above the highest." in page_text(crossed)
    reversed_days = client.get("/analytics/ideas?created_from=2026-03-01&created_to=2026-02-01")
    assert reversed_days.status_code == 400
    assert "The first date is after the last." in page_text(reversed_days)
    for day in ("9999-12-31", "0001-01-01", "2024-02-30", "now"):
        assert client.get(f"/analytics/ideas?created_to={day}").status_code == 400, day
        assert client.get(f"/analytics/ideas.json?created_to={day}").status_code == 400, day
    assert client.get("/analytics/ideas?page=99999999999999999999").status_code == 400
    assert len(titles(client.get("/analytics/ideas?created_from=&votes_min="))) == 3
    assert client.get("/analytics/ideas.csv?votes_min=x").status_code == 400


def test_sorting_by_columns(client, analyst, data):
    assert titles(client.get("/analytics/ideas?sort=votes&order=asc")) == [
        "Offline mode",
        "Export to DICOM",
        "Dark mode for the viewer",
    ]
    assert titles(client.get("/analytics/ideas?sort=oldest"))[0] == "Offline mode"
    assert titles(client.get("/analytics/ideas?sort=newest"))[-1] == "Offline mode"


def test_exports_parse_back(client, analyst, data):
    response = client.get("/analytics/ideas.csv?tag=ui&segment=enterprise")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["title"], r["votes"], r["segment_votes"], r["tags"]) for r in rows] == [
        ("Dark mode for the viewer", "4", "2", "ui")
    ]
    exported = json.loads(client.get("/analytics/ideas.json?sort=title&order=asc").data)
    assert [i["title"] for i in exported["ideas"]] == [
        "Dark mode for the viewer",
        "Export to DICOM",
        "Offline mode",
    ]
    assert exported["ideas"][1]["product"] == data["product"].slug
    assert exported["ideas"][1]["tags"] == ["dicom", "export"]


def test_bulk_status_and_tags_for_moderators(client, space_owner, login, data, app):
    login(client, space_owner)  # a site moderator, and the owner of the space
    ids = [data["dark"].id, data["export"].id]
    done = client.submit(
        "/analytics/ideas/bulk",
        {"ideas": ids, "action": "status", "status": "planned", "response": "Next quarter."},
        follow_redirects=True,
    )
    assert "2 ideas changed." in page_text(done), page_text(done)[:600]
    client.submit(
        "/analytics/ideas/bulk", {"ideas": ids, "action": "tags", "add": "q3", "remove": "ui"}
    )
    with app.app_context():
        dark, export = (db.session.get(Idea, i) for i in ids)
        assert (dark.status, export.status) == ("planned", "planned")
        assert dark.tag_names == ["q3"]
        assert export.tag_names == ["dicom", "export", "q3"]


def test_bulk_changes_are_all_or_nothing(client, create_user, login, data, app, space_owner):
    analyst = create_user("ana", role=Role.ANALYST)
    login(client, analyst)
    refused = client.submit(
        "/analytics/ideas/bulk",
        {"ideas": [data["dark"].id], "action": "status", "status": "planned", "response": "x"},
        follow_redirects=True,
    )
    assert "You may not change idea" in page_text(refused)
    client.submit("/logout")
    login(client, space_owner)
    for form, message in [
        ({"action": "status", "status": "planned", "response": "x"}, "Select at least one idea."),
        ({"ideas": ["1", "x"], "action": "status"}, "Select ideas from the list."),
        (
            {"ideas": [data["dark"].id], "action": "status", "status": "planned"},
            "Tell the community why",
        ),
        ({"ideas": [data["dark"].id, 999], "action": "tags", "add": "x"}, "Nothing was changed."),
        ({"ideas": [data["dark"].id], "action": "tags", "add": "a b c d e"}, "more than 5 tags"),
        ({"ideas": [data["dark"].id], "action": "tags", "add": "bad tag!"}, "Tags use letters"),
    ]:
        response = client.submit("/analytics/ideas/bulk", form, follow_redirects=True)
        assert message in page_text(response), form
    with app.app_context():
        assert db.session.get(Idea, data["dark"].id).status == "new"
        assert db.session.get(Idea, data["dark"].id).tag_names == ["ui"]


def test_the_explorer_runs_a_bounded_number_of_queries(
    client, analyst, count_queries, create_space, create_user, add_member, create_idea
):
    space = create_space()
    counts = []
    for more in (3, 12):
        for _ in range(more):
            author = create_user()
            add_member(space, author)
            create_idea(space, author, tags="ui, speed")
        with count_queries() as queries:
            client.get("/analytics/ideas?segment=enterprise&q=idea")
        counts.append(len(queries))
    assert counts[0] == counts[1]
