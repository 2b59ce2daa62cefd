"""The edge (``community/web/inputs.py``): NUL characters, unpaired surrogates, JSON nested too
deeply and JSON sent to forms are refused before any view runs, with a 400 (or 415) that says
why, and nothing is stored, on SQLite and PostgreSQL alike (SQLite used to store NULs that
PostgreSQL refuses with a server error)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.brainstorms.models import Note, Phase
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.spaces.models import Space
from tests.fixtures.app import page_text
from tests.fixtures.postgres import app_on
from tests.hostile.values import deep_json


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    with app_on(request.param, tmp_path, "cocreate_edge") as app:
        yield app


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Post, Thread, Idea, Space, Note)
        }


def test_nul_characters_are_refused_everywhere_text_comes_in(
    app, client, cast, login, create_thread
):
    thread = create_thread(cast.space, cast.member, title="Detector drift")
    login(client, cast.member)
    before = counts(app)
    slug = cast.space.slug
    attempts = [
        (f"/t/{thread.id}/reply", {"body": "Recalibrate\x00 weekly"}),
        (f"/s/{slug}/new", {"kind": "question", "title": "Why\x00?", "body": "Because"}),
        (f"/s/{slug}/new", {"kind": "question", "title": "Tags", "body": "B", "tags": "a\x00b"}),
        (f"/s/{slug}/ideas/new", {"title": "Dark\x00mode", "body": "Please"}),
        ("/spaces/new", {"name": "Lab\x00", "visibility": "public"}),
        ("/settings/profile", {"display_name": "Casey\x00", "locale": "en"}),
    ]
    for url, data in attempts:
        response = client.submit(url, data)
        assert response.status_code == 400, url
        assert "Text may not contain NUL characters." in page_text(response), url
    for url in ("/search?q=drift%00", f"/s/{slug}%00", "/spaces?q=%00", "/kb?tag=a%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in page_text(response), url
    assert counts(app) == before


def test_the_api_refuses_broken_text_and_deep_json(app, call, api_token, cast, create_idea):
    idea = create_idea(cast.space, cast.member, title="Dark mode")
    token = api_token(cast.owner, "write")
    url = f"/api/v1/ideas/{idea.id}/status"
    for body in (
        '{"status": "planned", "response": "ok\\ud800"}',
        '{"status": "planned", "response": "ok\\u0000"}',
        '{"status": "planned", "response": "ok", "\\u0000": 1}',
        '{"status": "planned", "response": ' + deep_json() + "}",
        '{"status": "planned", "response": ' + "[" * 50 + "]" * 50 + "}",
        '{"status": "planned", "response": NaN}',
        '{"status": "planned", "response": 1e400}',
        '{"status": "planned"',
        b'{"status": "planned", "response": "\xff"}',
    ):
        response = call("POST", url, token, data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == 400, body
    with app.app_context():
        assert db.session.get(Idea, idea.id).status == "new"
    fine = call("POST", url, token, json={"status": "planned", "response": "On the list."})
    assert fine.status_code == 200


def test_forms_take_forms_not_json(app, client, cast, login, create_thread):
    """Flask-WTF would read a JSON body as form data, values of any type included."""
    thread = create_thread(cast.space, cast.member, title="Detector drift")
    login(client, cast.member)
    before = counts(app)
    response = client.post(
        f"/t/{thread.id}/reply",
        json={"body": ["a", "b"], "csrf_token": client.csrf_token()},
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert response.status_code == 415
    assert "This address takes forms, not JSON." in page_text(response)
    assert counts(app) == before


def test_socket_payloads_with_broken_text_are_refused(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    assert member.send("join", {"session": session_id})["ok"]
    for text, message in (
        ("Shorter\x00forms", "Text may not contain NUL characters."),
        ("Shorter\ud800forms", "Text may not contain unpaired surrogates"),
    ):
        reply = member.send("add_note", {"session": session_id, "text": text})
        assert reply["ok"] is False and message in reply["error"]
    assert member.send("add_note", {"session": session_id, "\x00": 1})["ok"] is False
    assert counts(app)["Note"] == 0
    assert member.send("add_note", {"session": session_id, "text": "Shorter forms"})["ok"]
