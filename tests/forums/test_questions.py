"""Q&A: accepting answers, solved/unsolved/unanswered, helpful marks."""

from __future__ import annotations

from sqlalchemy import func, select

from community import signals
from community.accounts.models import User
from community.extensions import db
from community.forums.models import HelpfulMark, Post, Thread
from community.spaces.models import SpaceRole
from tests.fixtures.app import page_text


def fresh(app, model, row_id):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


def test_asker_accepts_an_answer_and_it_is_shown_first(
    app, client, cast, login, create_thread, create_reply
):
    thread = create_thread(cast.space, cast.asker, title="Detector drift")
    create_reply(thread, cast.member, "Have you tried turning it off and on?")
    answer = create_reply(thread, cast.expert, "Recalibrate with the 2024 phantom.")
    login(client, cast.asker)
    accepted = []
    with signals.answer_accepted.connected_to(lambda p, **kw: accepted.append(p.id)):
        client.submit(f"/posts/{answer.id}/accept")
    assert accepted == [answer.id]
    assert fresh(app, Thread, thread.id).accepted_post_id == answer.id
    text = page_text(client.get(f"/t/{thread.id}"))
    assert text.index("Recalibrate with the 2024 phantom.") < text.index("turning it off")
    assert "Accepted answer" in text and "Solved" in text
    listing = page_text(client.get(f"/s/{cast.space.slug}?status=solved"))
    assert "Detector drift" in listing
    assert "Detector drift" not in page_text(client.get(f"/s/{cast.space.slug}?status=unsolved"))


def test_only_the_asker_and_moderators_accept_answers(
    app, client, cast, login, create_user, add_member, create_thread, create_reply
):
    """Experts answer; the asker and the space's moderators decide which answer helped."""
    moderator = create_user("mona")
    add_member(cast.space, moderator, role=SpaceRole.MODERATOR)
    thread = create_thread(cast.space, cast.asker)
    answer = create_reply(thread, cast.member)
    for person in (cast.member, cast.expert, cast.outsider):
        login(client, person)
        assert "Accept answer" not in page_text(client.get(f"/t/{thread.id}"))
        refused = client.submit(f"/posts/{answer.id}/accept", follow_redirects=True)
        assert "You may not accept answers here." in page_text(refused)
        assert fresh(app, Thread, thread.id).accepted_post_id is None
        client.submit("/logout")
    login(client, moderator)
    client.submit(f"/posts/{answer.id}/accept")
    assert fresh(app, Thread, thread.id).accepted_post_id == answer.id
    client.submit(f"/t/{thread.id}/unaccept")
    assert fresh(app, Thread, thread.id).accepted_post_id is None


def test_nobody_earns_points_by_accepting_their_own_answer(
    app, client, cast, login, create_user, add_member, create_thread, create_reply
):
    """An expert, even one who moderates the space, cannot accept their own answer to
    someone else's question (15 points); the asker may accept their own reply, for nothing."""
    moderator = create_user("mona")
    add_member(cast.space, moderator, role=SpaceRole.MODERATOR)
    thread = create_thread(cast.space, cast.asker)
    own_answer = create_reply(thread, cast.expert, "Mine is best.")
    mod_answer = create_reply(thread, moderator, "As the moderator, I say this.")
    for person, post in ((cast.expert, own_answer), (moderator, mod_answer)):
        login(client, person)
        refused = client.submit(f"/posts/{post.id}/accept", follow_redirects=True)
        assert "You may not" in page_text(refused)
        assert fresh(app, Thread, thread.id).accepted_post_id is None
        assert fresh(app, User, person.id).reputation == 0
        client.submit("/logout")
    # The moderator sees the button on others' replies, not on their own.
    login(client, moderator)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'action="/posts/{own_answer.id}/accept"' in page
    assert f'action="/posts/{mod_answer.id}/accept"' not in page
    client.submit("/logout")
    # The asker solves it themselves: solved, but no points and still no answer.
    follow_up = create_reply(thread, cast.asker, "Found it: the cable was loose.")
    login(client, cast.asker)
    client.submit(f"/posts/{follow_up.id}/accept")
    solved = fresh(app, Thread, thread.id)
    assert solved.accepted_post_id == follow_up.id
    assert fresh(app, User, cast.asker.id).reputation == 0
    # Accepting the moderator's answer pays its author.
    client.submit(f"/posts/{mod_answer.id}/accept")
    assert fresh(app, User, moderator.id).reputation == 15


def test_only_replies_on_questions_can_be_accepted(
    app, client, cast, login, create_thread, create_reply
):
    discussion = create_thread(cast.space, cast.asker, kind="discussion")
    reply = create_reply(discussion, cast.expert)
    login(client, cast.asker)
    client.submit(f"/posts/{reply.id}/accept")
    assert fresh(app, Thread, discussion.id).accepted_post_id is None
    question = create_thread(cast.space, cast.asker)
    with app.app_context():
        opening = db.session.scalar(select(Post.id).where(Post.thread_id == question.id))
    client.submit(f"/posts/{opening}/accept")
    assert fresh(app, Thread, question.id).accepted_post_id is None


def test_unanswered_filter(client, cast, create_thread, create_reply):
    create_thread(cast.space, cast.asker, title="Nobody answered me")
    answered = create_thread(cast.space, cast.asker, title="Somebody answered me")
    create_reply(answered, cast.expert)
    text = page_text(client.get(f"/s/{cast.space.slug}?status=unanswered"))
    assert "Nobody answered me" in text and "Somebody answered me" not in text
    questions = page_text(client.get(f"/s/{cast.space.slug}?kind=question"))
    assert "Nobody answered me" in questions and "Somebody answered me" in questions


def test_helpful_once_per_member_not_on_own_posts(
    app, client, cast, login, create_thread, create_reply
):
    thread = create_thread(cast.space, cast.asker)
    answer = create_reply(thread, cast.expert)
    login(client, cast.member)
    client.submit(f"/posts/{answer.id}/helpful")
    client.submit(f"/posts/{answer.id}/helpful")
    assert fresh(app, Post, answer.id).helpful_count == 1
    assert fresh(app, Thread, thread.id).helpful_count == 1
    client.submit(f"/posts/{answer.id}/helpful", {"helpful": "0"})
    assert fresh(app, Post, answer.id).helpful_count == 0
    client.submit("/logout")
    login(client, cast.expert)
    own = client.submit(f"/posts/{answer.id}/helpful", follow_redirects=True)
    assert "You may not mark this post." in page_text(own)
    client.submit("/logout")
    login(client, cast.outsider)
    client.submit(f"/posts/{answer.id}/helpful")
    with app.app_context():
        assert db.session.scalar(select(func.count(HelpfulMark.id))) == 0


def test_deleting_the_accepted_answer_reopens_the_question(
    app, client, cast, login, create_thread, create_reply
):
    thread = create_thread(cast.space, cast.asker)
    answer = create_reply(thread, cast.expert)
    login(client, cast.asker)
    client.submit(f"/posts/{answer.id}/accept")
    client.submit("/logout")
    login(client, cast.expert)
    client.submit(f"/posts/{answer.id}/delete")
    assert fresh(app, Thread, thread.id).accepted_post_id is None
