"""A question's answers are replies by others than the asker: the count kept on the thread,
the Unanswered filter, the pages and the API."""

from __future__ import annotations

import pytest

from community.accounts.models import User
from community.errors import OperationError
from community.extensions import db
from community.forums import operations
from community.forums.models import Post, Thread
from tests.fixtures.app import page_text

UNANSWERED = '<span class="badge text-bg-warning">Unanswered</span>'


def counts(app, thread_id: int) -> tuple[int, int]:
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        return thread.reply_count, thread.answer_count


def act(app, func, post_id: int, user_id: int) -> None:
    with app.test_request_context():
        func(db.session.get(Post, post_id), by=db.session.get(User, user_id))
        db.session.commit()


def test_the_askers_own_reply_is_not_an_answer(app, client, cast, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker, title="Detector drift")
    create_reply(thread, cast.asker, "More detail: it drifts after lunch.")
    assert counts(app, thread.id) == (1, 0)
    unanswered = page_text(client.get(f"/s/{cast.space.slug}?status=unanswered"))
    assert "Detector drift" in unanswered
    listing = client.get(f"/s/{cast.space.slug}?kind=question").get_data(as_text=True)
    assert "<strong>0</strong><span>answers</span>" in listing
    assert UNANSWERED in listing
    page = page_text(client.get(f"/t/{thread.id}"))
    assert "0 answers" in page and "1 follow-up by the asker" in page

    create_reply(thread, cast.expert, "Recalibrate with the phantom.")
    assert counts(app, thread.id) == (2, 1)
    assert "Detector drift" not in page_text(client.get(f"/s/{cast.space.slug}?status=unanswered"))
    listing = client.get(f"/s/{cast.space.slug}?kind=question").get_data(as_text=True)
    assert "<strong>1</strong><span>answer</span>" in listing and "· 1 answer<" in listing
    assert UNANSWERED not in listing
    page = page_text(client.get(f"/t/{thread.id}"))
    assert "1 answer · 1 follow-up by the asker" in page


def test_deletes_and_restores_keep_the_answers_right(
    app, cast, create_user, add_member, create_thread, create_reply
):
    from community.spaces.models import SpaceRole

    moderator = create_user("mona")
    add_member(cast.space, moderator, role=SpaceRole.MODERATOR)
    thread = create_thread(cast.space, cast.asker)
    own = create_reply(thread, cast.asker, "Still broken.")
    answer = create_reply(thread, cast.expert, "Try the phantom.")
    assert counts(app, thread.id) == (2, 1)
    act(app, operations.delete_post, own.id, cast.asker.id)
    assert counts(app, thread.id) == (1, 1)
    act(app, operations.delete_post, answer.id, moderator.id)
    assert counts(app, thread.id) == (0, 0)
    act(app, operations.restore_post, answer.id, moderator.id)
    assert counts(app, thread.id) == (1, 1)
    act(app, operations.restore_post, own.id, moderator.id)
    assert counts(app, thread.id) == (2, 1)
    # Restoring twice is refused: nothing moves.
    with app.test_request_context(), pytest.raises(OperationError):
        operations.restore_post(db.session.get(Post, own.id), by=db.session.get(User, moderator.id))
    assert counts(app, thread.id) == (2, 1)


def test_a_solved_question_is_not_unanswered(app, client, cast, login, create_thread, create_reply):
    """The asker who solves it themselves: no answer, but not waiting for one either."""
    thread = create_thread(cast.space, cast.asker, title="Loose cable")
    follow_up = create_reply(thread, cast.asker, "Found it: the cable was loose.")
    login(client, cast.asker)
    client.submit(f"/posts/{follow_up.id}/accept")
    assert "Loose cable" not in page_text(client.get(f"/s/{cast.space.slug}?status=unanswered"))
    assert "Loose cable" in page_text(client.get(f"/s/{cast.space.slug}?status=solved"))


def test_the_api_tells_answers_from_replies(
    app, client, cast, create_thread, create_reply, api_token
):
    thread = create_thread(cast.space, cast.asker, title="Only me so far")
    create_reply(thread, cast.asker, "Bump.")
    headers = {"Authorization": f"Bearer {api_token(cast.member)}"}
    unanswered = f"/api/v1/spaces/{cast.space.slug}/threads?status=unanswered"
    found = client.get(unanswered, headers=headers)
    assert [(t["title"], t["reply_count"], t["answer_count"]) for t in found.json["data"]] == [
        ("Only me so far", 1, 0)
    ]
    create_reply(thread, cast.member, "Same here, and this fixed it.")
    found = client.get(unanswered, headers=headers)
    assert found.json["data"] == []
    detail = client.get(f"/api/v1/threads/{thread.id}", headers=headers).json["data"]
    assert (detail["reply_count"], detail["answer_count"]) == (2, 1)
