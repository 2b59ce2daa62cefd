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


def test_sign_ups_beyond_the_limit_are_refused(app, outbox):
    from community.accounts.models import SignupRequest, User

    def sign_up(client, name: str):
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

    first = app.test_client()
    assert sign_up(first, "alice").status_code == 302
    response = sign_up(app.test_client(), "bob")
    assert response.status_code == 429 and "Slow down" in page_text(response)
    # Sending the e-mail again spends the same budget.
    assert first.submit("/register/resend").status_code == 429
    assert len(outbox) == 1
    with app.app_context():
        assert db.session.scalar(db.select(SignupRequest.username)) == "alice"
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_votes_share_one_budget_across_pages_json_and_every_api_token(
    app, client, login, cast, create_idea, api_token
):
    from community.ideas.models import IdeaVote

    ideas = [create_idea(cast.space, cast.asker) for _n in range(4)]
    first, second = api_token(cast.member, "write"), api_token(cast.member, "write")
    login(client, cast.member)
    assert client.submit(f"/ideas/{ideas[0].id}/vote").status_code == 302
    by_token = client.put(
        f"/api/v1/ideas/{ideas[1].id}/vote", headers={"Authorization": f"Bearer {first}"}
    )
    assert by_token.status_code == 200
    # The budget (2) is spent: another token, the JSON page call and the form all stop.
    other_token = client.delete(
        f"/api/v1/ideas/{ideas[1].id}/vote", headers={"Authorization": f"Bearer {second}"}
    )
    assert other_token.status_code == 429 and other_token.json["error"]["code"] == 429
    as_json = client.submit(f"/ideas/{ideas[2].id}/vote", headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.json["error"]["code"] == 429
    assert client.submit(f"/ideas/{ideas[3].id}/vote").status_code == 429
    with app.app_context():
        votes = db.session.scalars(
            db.select(IdeaVote.idea_id).where(IdeaVote.user_id == cast.member.id)
        ).all()
    assert sorted(votes) == [ideas[0].id, ideas[1].id]


def test_api_votes_and_withdrawals_stop_at_the_vote_limit(app, call, cast, create_idea, api_token):
    idea = create_idea(cast.space, cast.asker)
    secret = api_token(cast.member, "write")
    url = f"/api/v1/ideas/{idea.id}/vote"
    codes = [call(method, url, secret).status_code for method in ("PUT", "DELETE", "PUT")]
    assert codes == [200, 200, 429]
    with app.app_context():
        assert db.session.get(type(idea), idea.id).vote_count == 0


def test_other_people_keep_their_own_vote_budget(call, cast, create_idea, api_token):
    idea = create_idea(cast.space, cast.asker)
    mine, theirs = api_token(cast.member, "write"), api_token(cast.expert, "write")
    url = f"/api/v1/ideas/{idea.id}/vote"
    assert [call("PUT", url, mine).status_code for _n in range(3)] == [200, 200, 429]
    assert call("PUT", url, theirs).status_code == 200


def test_threads_replies_and_ideas_share_the_post_budget(app, client, login, cast, create_thread):
    from community.ideas.models import Idea

    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    started = client.submit(
        f"/s/{cast.space.slug}/new",
        {"kind": "discussion", "title": "A new thread", "body": "About this.", "tags": ""},
    )
    assert started.status_code == 302
    assert client.submit(f"/t/{thread.id}/reply", {"body": "A reply"}).status_code == 302
    proposed = client.submit(
        f"/s/{cast.space.slug}/ideas/new", {"title": "One idea too many", "body": "Please."}
    )
    assert proposed.status_code == 429
    with app.app_context():
        found = db.session.scalar(db.select(Idea.id).where(Idea.title == "One idea too many"))
    assert found is None


def test_flags_share_one_budget_between_pages_and_the_live_board(
    app, client, login, cast, people, board, create_brainstorm, to_phase, create_thread
):
    from community.moderation.models import Flag

    session_id = create_brainstorm(cast.space, cast.expert, hidden_ideation=False)
    to_phase(session_id, Phase.IDEATE)
    writer = board(people["member"])
    writer.send("join", {"session": session_id})
    note = writer.send("add_note", {"session": session_id, "text": "Buy my course"})["note"]
    flagger = board(people["asker"])
    assert flagger.send("join", {"session": session_id})["ok"]
    thread = create_thread(cast.space, cast.member)
    flagged = people["asker"].submit(f"/flag/thread/{thread.id}", {"reason": "spam"})
    assert flagged.status_code == 302
    reply = flagger.send("flag_note", {"session": session_id, "note": note["id"], "reason": "spam"})
    assert reply["ok"] is False and "too fast" in reply["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Flag.id))) == 1
