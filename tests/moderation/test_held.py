"""Posts held for approval: moderators approve the words that will be published.

A new member's post in a space that holds them is unpublished: only its author and the
space's moderators know it exists. An edit while it is held keeps it held and shows in its
case (what changed since it was held); approving publishes the words the moderator read, and
only then are its mentions told, of those words.
"""

from __future__ import annotations

import pytest

from community.errors import OperationError
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.moderation.models import ModerationCase
from community.notifications.models import Notification
from community.spaces.models import Space
from tests.fixtures.app import act, page_text

pytestmark = pytest.mark.parametrize(
    "app_config", [{"NEW_ACCOUNT_LIMITS": True, "NEW_ACCOUNT_POSTS": 3}]
)


@pytest.fixture
def holding(app, cast):
    """The cast's space holds new members' posts (its members are all new)."""
    with app.app_context():
        db.session.get(Space, cast.space.id).hold_new_posts = True
        db.session.commit()
    return cast.space


@pytest.fixture
def moderator(app, login, space_mod):
    client = app.test_client()
    login(client, space_mod)
    return client


def _case_id(app, target_type: str, target_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(ModerationCase.id).where(
                ModerationCase.target_type == target_type, ModerationCase.target_id == target_id
            )
        )


def _mentions(app, user) -> list[tuple[int | None, str]]:
    """The user's mention notifications, as (post id, the title they read)."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Notification.post_id, Thread.title)
            .join(Thread, Thread.id == Notification.thread_id)
            .where(Notification.user_id == user.id, Notification.kind == "mention")
            .order_by(Notification.id)
        ).all()
        return [tuple(row) for row in rows]


def _edit(client, post_id: int, **data):
    response = client.submit(f"/posts/{post_id}/edit", data)
    assert response.status_code == 302, page_text(response)
    return response


def test_an_edit_while_held_shows_in_the_queue_and_the_case(
    app, client, login, cast, holding, moderator, create_thread
):
    held = create_thread(
        cast.space, cast.member, title="Probe cleaning", body="How do I clean the probe?"
    )
    login(client, cast.member)
    opening = _opening_id(app, held.id)
    _edit(client, opening, title="Probe cleaning at night", body="How do I sterilise the probe?")
    with app.app_context():
        assert db.session.get(Thread, held.id).held  # still held
    queue = page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))
    assert "Probe cleaning at night" in queue and "sterilise" in queue
    assert "Edited since it was held" in queue
    page = moderator.get(f"/moderation/cases/{_case_id(app, 'thread', held.id)}")
    html = page.get_data(as_text=True)
    text = page_text(page)
    assert "How do I sterilise the probe?" in text
    assert "What changed since it was held" in text
    assert "<del>clean</del><ins>sterilise</ins>" in html
    assert "<ins> at night</ins>" in html


def _opening_id(app, thread_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(Post.id).where(Post.thread_id == thread_id, Post.is_opening.is_(True))
        )


def test_approving_words_edited_since_they_were_read_is_refused(
    app, client, login, cast, holding, moderator, create_thread, approve
):
    held = create_thread(cast.space, cast.member, body="A harmless question")
    case_id = _case_id(app, "thread", held.id)
    read = moderator.get(f"/moderation/cases/{case_id}").get_data(as_text=True)
    login(client, cast.member)
    _edit(client, _opening_id(app, held.id), title=held.title, body=f"Hi @{cast.owner.username}")
    seen = read.split('name="seen" value="', 1)[1].split('"', 1)[0]
    response = moderator.submit(
        f"/moderation/cases/{case_id}/approve", {"reason": "Looks fine", "seen": seen}
    )
    assert "It was edited after you opened it" in page_text(moderator.get(response.location))
    with app.app_context():
        thread = db.session.get(Thread, held.id)
        assert thread.held and thread.is_hidden
    assert _mentions(app, cast.owner) == []
    for seen in ("", "0" * 64, "x" * 70):  # missing, made up, too long
        moderator.submit(f"/moderation/cases/{case_id}/approve", {"reason": "ok", "seen": seen})
        with app.app_context():
            assert db.session.get(Thread, held.id).held


def test_mentions_of_a_held_post_are_told_on_approval_of_the_words_approved(
    app, client, login, cast, holding, moderator, create_thread, create_reply, approve
):
    thread = create_thread(cast.space, cast.owner)
    login(client, cast.member)
    response = client.submit(f"/t/{thread.id}/reply", {"body": "Thanks, it works"})
    assert "Your reply is waiting for a moderator's approval" in page_text(
        client.get(response.location)
    )
    with app.app_context():
        reply = db.session.scalar(db.select(Post).where(Post.author_id == cast.member.id))
        reply_id = reply.id
        assert reply.held
    _edit(client, reply_id, body=f"Thanks @{cast.expert.username}, it works")
    assert _mentions(app, cast.expert) == []  # not while held
    case_id = _case_id(app, "post", reply_id)
    assert "@" + cast.expert.username in page_text(moderator.get(f"/moderation/cases/{case_id}"))
    response = approve(moderator, case_id, "Welcome")
    assert "Approved and published." in page_text(moderator.get(response.location))
    assert _mentions(app, cast.expert) == [(reply_id, thread.title)]
    with app.app_context():
        assert not db.session.get(Post, reply_id).held


def test_a_held_thread_is_private_to_its_author_and_moderators(
    app, client, login, cast, holding, moderator
):
    login(client, cast.member)
    response = client.submit(
        f"/s/{cast.space.slug}/new",
        {"kind": "question", "title": "Held question", "body": "Can I ask this?"},
    )
    thread_id = int(response.location.rsplit("/", 1)[1])
    shown = page_text(client.get(response.location))
    assert "Your thread is waiting for a moderator's approval; only you and the" in shown
    assert "Posted." not in shown
    assert "Replies open once a moderator approves this thread." in shown
    assert "Join this space to reply" not in shown
    assert "flagged" not in shown

    mod_page = page_text(moderator.get(f"/t/{thread_id}"))
    assert "Held for approval" in mod_page and "flagged" not in mod_page
    review = moderator.get(f"/moderation/review/thread/{thread_id}")
    assert review.location.endswith(f"/moderation/cases/{_case_id(app, 'thread', thread_id)}")
    case_page = page_text(moderator.get(review.location))
    assert "Approve and publish" in case_page and "Dismiss the flags" not in case_page
    assert "Reject" in case_page

    reader = app.test_client()
    login(reader, cast.asker)  # a member of the space
    opening = _opening_id(app, thread_id)
    for who in (reader, app.test_client()):
        assert who.get(f"/t/{thread_id}").status_code == 404
        assert who.get(f"/posts/{opening}").status_code == 404
        assert who.get(f"/api/v1/threads/{thread_id}").status_code == 404
        listed = who.get(f"/api/v1/spaces/{cast.space.slug}/threads").get_json()["data"]
        assert thread_id not in [t["id"] for t in listed]
        assert "Held question" not in page_text(who.get(f"/s/{cast.space.slug}"))
        assert who.get(f"/moderation/review/thread/{thread_id}").status_code in (302, 404)
    assert client.get(f"/api/v1/threads/{thread_id}").status_code == 200


def test_held_replies_are_not_shown_to_others(
    app, client, login, cast, holding, create_thread, space_mod
):
    thread = create_thread(cast.space, cast.owner)
    login(client, cast.member)
    client.submit(f"/t/{thread.id}/reply", {"body": "A held reply"})
    assert "A held reply" in page_text(client.get(f"/t/{thread.id}"))
    reader = app.test_client()
    login(reader, cast.asker)
    page = page_text(reader.get(f"/t/{thread.id}"))
    assert "A held reply" not in page and "hidden pending review" not in page
    assert "0 answers" in page
    posts = reader.get(f"/api/v1/threads/{thread.id}/posts").get_json()["data"]
    assert posts == []
    with app.app_context():
        held = db.session.scalar(db.select(Post).where(Post.author_id == cast.member.id))
    with pytest.raises(OperationError, match="Approve this reply before"):
        act(app, forums.accept_answer, held, by=space_mod)
    # Someone else's hands on it: as if it did not exist.
    for url, data in (
        (f"/posts/{held.id}/edit", {"body": "Taken over"}),
        (f"/posts/{held.id}/helpful", {"helpful": "1"}),
        (f"/posts/{held.id}/delete", {}),
        (f"/posts/{held.id}/accept", {}),
    ):
        assert reader.submit(url, data).status_code == 404, url
    assert reader.get(f"/posts/{held.id}/history").status_code == 404
    with app.app_context():
        assert db.session.get(Post, held.id).body_source == "A held reply"


def test_a_held_idea_mentions_no_one_until_approved(
    app, client, login, cast, holding, moderator, approve
):
    login(client, cast.member)
    response = client.submit(
        f"/s/{cast.space.slug}/ideas/new",
        {"title": "Dark mode", "body": f"Please, @{cast.owner.username}"},
    )
    shown = page_text(client.get(response.location))
    assert "Your idea is waiting for a moderator's approval" in shown
    with app.app_context():
        idea = db.session.scalar(db.select(Idea).where(Idea.author_id == cast.member.id))
        idea_id, thread_id = idea.id, idea.thread_id
        assert idea.held and db.session.get(Thread, thread_id).held
    assert _mentions(app, cast.owner) == []
    outsider = app.test_client()
    for url in (f"/ideas/{idea_id}", f"/t/{thread_id}", f"/api/v1/ideas/{idea_id}"):
        assert outsider.get(url).status_code == 404, url
    listed = outsider.get("/api/v1/ideas").get_json()["data"]
    assert idea_id not in [i["id"] for i in listed]
    member = app.test_client()
    login(member, cast.asker)
    assert member.submit(f"/ideas/{idea_id}/vote", {"vote": "1"}).status_code == 404
    assert member.get(f"/ideas/{idea_id}").status_code == 404
    response = client.submit(
        f"/ideas/{idea_id}/edit",
        {"title": "Dark mode", "body": f"Please, @{cast.expert.username}", "tags": ""},
    )
    assert response.status_code == 302
    approve(moderator, _case_id(app, "idea", idea_id), "Good idea")
    assert _mentions(app, cast.owner) == []  # no longer in the words approved
    assert [title for _post, title in _mentions(app, cast.expert)] == ["Dark mode"]
    assert outsider.get(f"/ideas/{idea_id}").status_code == 200


def test_a_flagged_posts_case_follows_edits_from_the_flag_on(
    app, client, login, cast, flaggers, flag, create_thread, create_reply, moderator
):
    thread = create_thread(cast.space, cast.owner)
    reply = create_reply(thread, cast.member, body="Call me for cheap probes")
    case_id = flag(reply, flaggers[0])
    login(client, cast.member)
    _edit(client, reply.id, body="Use the phantom in the box")
    case = page_text(moderator.get(f"/moderation/cases/{case_id}"))
    assert "Use the phantom in the box" in case
    assert "What changed since it was flagged" in case
    queue = page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))
    assert "Use the phantom" in queue and "Edited since it was flagged" in queue
    _edit(client, reply.id, body="Call me for cheap probes")  # back as it was flagged
    assert "Edited since" not in page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))


def test_a_held_question_is_not_routed_to_experts(app, cast, holding, create_thread):
    from community.experts.models import QuestionRouting

    create_thread(cast.space, cast.member, kind="question", ask_expert=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(QuestionRouting.id))) == 0
