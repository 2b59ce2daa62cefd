"""Rate limits on posting, voting and flagging (HTTP) and on brainstorm notes and dots
(Socket.IO), from the configuration."""

from __future__ import annotations

import pytest

from community.brainstorms.models import Note, Phase
from community.extensions import db
from community.forums.models import Post
from tests.fixtures.app import page_text

LOW = {
    "POST_LIMIT": "2 per minute",
    "VOTE_LIMIT": "2 per minute",
    "FLAG_LIMIT": "1 per minute",
    "BRAINSTORM_NOTE_LIMIT": "2 per minute",
    "BRAINSTORM_DOT_LIMIT": "1 per minute",
    "REGISTER_LIMIT_PER_IP": "1 per minute",
}
pytestmark = pytest.mark.parametrize("app_config", [LOW])


def test_replies_beyond_the_limit_get_a_429_page(app, client, login, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    for n in range(2):
        assert client.submit(f"/t/{thread.id}/reply", {"body": f"Reply {n}"}).status_code == 302
    response = client.submit(f"/t/{thread.id}/reply", {"body": "One too many"})
    assert response.status_code == 429
    assert "Slow down" in page_text(response)
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(Post.id)).where(Post.author_id == cast.member.id)
            )
            == 2
        )


def test_flags_beyond_the_limit_are_refused(client, login, cast, create_thread):
    first, second = create_thread(cast.space, cast.asker), create_thread(cast.space, cast.asker)
    login(client, cast.member)
    assert client.submit(f"/flag/thread/{first.id}", {"reason": "spam"}).status_code == 302
    assert client.submit(f"/flag/thread/{second.id}", {"reason": "spam"}).status_code == 429


def test_votes_beyond_the_limit_are_refused(client, login, cast, create_idea):
    ideas = [create_idea(cast.space, cast.asker) for _n in range(3)]
    login(client, cast.member)
    codes = [client.submit(f"/ideas/{idea.id}/vote").status_code for idea in ideas]
    assert codes[:2] == [302, 302] and codes[2] == 429


def test_socket_notes_and_dots_beyond_the_limit_are_refused(
    app, cast, people, board, create_brainstorm, to_phase
):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    member = board(people["member"])
    member.send("join", {"session": session_id})
    replies = [
        member.send("add_note", {"session": session_id, "text": f"Note {n}"}) for n in range(3)
    ]
    assert [r["ok"] for r in replies] == [True, True, False]
    assert "too fast" in replies[2]["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Note.id))) == 2


def test_sign_ups_beyond_the_limit_are_refused(app):
    from community.accounts.models import User

    def sign_up(name: str):
        client = app.test_client()
        return client.submit(
            "/register",
            {
                "username": name,
                "email": f"{name}@example.com",
                "display_name": name.title(),
                "password": "down the rabbit hole",
                "confirm": "down the rabbit hole",
            },
        )

    assert sign_up("alice").status_code == 302
    response = sign_up("bob")
    assert response.status_code == 429 and "Slow down" in page_text(response)
    with app.app_context():
        assert db.session.scalar(db.select(User.id).where(User.username == "bob")) is None
