"""Threads and replies: writing, limits, editing with history, deleting, moderating."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community import signals
from community.extensions import db
from community.forums.models import Post, PostRevision, Thread
from community.spaces.models import Space
from tests.fixtures.app import page_text

QUESTION = {
    "kind": "question",
    "title": "How do I calibrate the CT detector?",
    "body": "After the update the **phantom** scan drifts.\n\n```\ncalibrate --all\n```",
    "tags": "calibration, ct",
}


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Thread.id))),
            db.session.scalar(select(func.count(Post.id))),
        )


def fresh(app, model, row_id):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


def test_member_asks_a_question(app, client, cast, login):
    fired = []
    login(client, cast.asker)
    with signals.thread_created.connected_to(
        lambda t, **kw: fired.append((t.title, kw["post"].id))
    ):
        response = client.submit(f"/s/{cast.space.slug}/new", QUESTION)
    assert response.status_code == 302
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert "How do I calibrate the CT detector?" in html
    assert "<strong>phantom</strong>" in html and "calibrate --all" in html
    assert "#calibration" in html and "Unsolved" in page_text(page)
    assert fired and fired[0][0] == QUESTION["title"]
    assert fresh(app, Space, cast.space.id).thread_count == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Give it a title."),
        ({"title": "   "}, "Give it a title."),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"body": ""}, "Write something first."),
        ({"body": "   \n  "}, "Write something first."),
        ({"body": "b" * 50_001}, "at most 50000 characters"),
        ({"tags": "a,b,c,d,e,f"}, "at most 5 tags"),
        ({"tags": "t" * 31}, "at most 30 characters"),
        ({"kind": "poll"}, "Not a valid choice."),
    ],
)
def test_thread_limits_have_clear_messages(app, client, cast, login, changes, message):
    login(client, cast.asker)
    response = client.submit(f"/s/{cast.space.slug}/new", {**QUESTION, **changes})
    assert response.status_code == 200
    assert message in page_text(response).replace(",", "")
    assert counts(app) == (0, 0)


def test_outsiders_cannot_start_threads(app, client, cast, login):
    assert client.get(f"/s/{cast.space.slug}/new").status_code == 302
    login(client, cast.outsider)
    response = client.submit(f"/s/{cast.space.slug}/new", QUESTION)
    assert response.status_code == 302 and "/about" in response.location
    assert counts(app) == (0, 0)


def test_reply_and_link_to_a_post(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.expert)
    fired = []
    with signals.post_created.connected_to(lambda p, **kw: fired.append(p.id)):
        response = client.submit(f"/t/{thread.id}/reply", {"body": "Run the *phantom* twice."})
    assert response.status_code == 302 and "#post-" in response.location
    assert fired
    assert fresh(app, Thread, thread.id).reply_count == 1
    assert client.get(f"/posts/{fired[0]}").location.endswith(f"/t/{thread.id}#post-{fired[0]}")


def test_empty_reply_is_refused(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    response = client.submit(f"/t/{thread.id}/reply", {"body": "  "}, follow_redirects=True)
    assert "Write something first." in page_text(response)
    assert counts(app) == (1, 1)


def test_locked_thread_refuses_replies_except_from_moderators(
    app, client, cast, login, create_thread
):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.owner)
    client.submit(f"/t/{thread.id}/moderate", {"action": "lock"})
    assert fresh(app, Thread, thread.id).locked
    client.submit(f"/t/{thread.id}/reply", {"body": "Moderator note."})
    client.submit("/logout")
    login(client, cast.member)
    page = page_text(client.get(f"/t/{thread.id}"))
    assert "This thread is locked" in page
    refused = client.submit(f"/t/{thread.id}/reply", {"body": "me too"}, follow_redirects=True)
    assert "This thread is locked." in page_text(refused)
    assert counts(app) == (1, 2)


def test_quote_prefills_the_reply(client, cast, login, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker)
    post = create_reply(thread, cast.expert, "Use the **phantom**.")
    login(client, cast.member)
    html = client.get(f"/t/{thread.id}?quote={post.id}").get_data(as_text=True)
    assert "&gt; Use the **phantom**." in html and "@erik" in html


def test_mentions_link_and_signal(client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker)
    mentioned = []
    login(client, cast.member)
    with signals.mention.connected_to(
        lambda p, **kw: mentioned.extend(u.username for u in kw["users"])
    ):
        client.submit(f"/t/{thread.id}/reply", {"body": "@ERIK could you check? cc @nobody @greta"})
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert '<a href="/u/erik" class="mention"' in html or 'class="mention" href="/u/erik"' in html
    assert mentioned == ["erik"]  # not unknown names, not the author


def test_edit_keeps_history_for_author_and_moderators(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker, title="Old title", body="First words")
    opening = fresh(app, Thread, thread.id)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    login(client, cast.asker)
    response = client.submit(
        f"/posts/{post_id}/edit", {"title": "New title", "body": "Better words", "tags": "ct"}
    )
    assert response.status_code == 302
    assert fresh(app, Thread, opening.id).title == "New title"
    history = page_text(client.get(f"/posts/{post_id}/history"))
    assert "First words" in history and "Old title" in history and "Better words" in history
    client.submit("/logout")
    login(client, cast.member)
    assert client.get(f"/posts/{post_id}/history").status_code == 403
    assert client.get(f"/posts/{post_id}/edit").status_code == 403
    assert (
        client.submit(f"/posts/{post_id}/edit", {"title": "Hijack", "body": "x"}).status_code == 403
    )
    client.submit("/logout")
    login(client, cast.owner)
    assert client.get(f"/posts/{post_id}/history").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(PostRevision.id))) == 1


def test_edit_limits(app, client, cast, login, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.asker, "Original")
    login(client, cast.asker)
    response = client.submit(f"/posts/{reply.id}/edit", {"body": "x" * 50_001})
    assert "at most 50000 characters" in page_text(response).replace(",", "")
    assert fresh(app, Post, reply.id).body_source == "Original"


def test_soft_delete_and_restore(app, client, cast, login, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.member, "Regrettable words")
    login(client, cast.member)
    client.submit(f"/posts/{reply.id}/delete")
    assert fresh(app, Thread, thread.id).reply_count == 0
    client.submit("/logout")
    login(client, cast.asker)
    page = page_text(client.get(f"/t/{thread.id}"))
    assert "This post was deleted." in page and "Regrettable words" not in page
    assert client.get(f"/posts/{reply.id}/edit").status_code == 404
    client.submit("/logout")
    login(client, cast.owner)
    assert "Regrettable words" in page_text(client.get(f"/t/{thread.id}"))
    client.submit(f"/posts/{reply.id}/restore")
    assert fresh(app, Thread, thread.id).reply_count == 1
    assert fresh(app, Post, reply.id).deleted_at is None


def test_deleting_the_opening_post_deletes_the_thread(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker, title="Oops")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    login(client, cast.asker)
    client.submit(f"/posts/{post_id}/delete")
    assert fresh(app, Space, cast.space.id).thread_count == 0
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert "Oops" not in page_text(client.get(f"/s/{cast.space.slug}"))
    client.submit("/logout")
    login(client, cast.owner)
    assert client.get(f"/t/{thread.id}").status_code == 200
    client.submit(f"/posts/{post_id}/restore")
    assert fresh(app, Space, cast.space.id).thread_count == 1


def test_others_cannot_delete(app, client, cast, login, create_thread, create_reply):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.expert)
    login(client, cast.member)
    refused = client.submit(f"/posts/{reply.id}/delete", follow_redirects=True)
    assert "You may not delete this post." in page_text(refused)
    assert fresh(app, Post, reply.id).deleted_at is None


def test_pin_and_lock_are_for_moderators(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    client.submit(f"/t/{thread.id}/moderate", {"action": "pin"})
    client.submit(f"/t/{thread.id}/moderate", {"action": "lock"})
    row = fresh(app, Thread, thread.id)
    assert not row.pinned and not row.locked
    assert client.submit(f"/t/{thread.id}/moderate", {"action": "explode"}).status_code == 400
    client.submit("/logout")
    login(client, cast.owner)
    client.submit(f"/t/{thread.id}/moderate", {"action": "pin"})
    assert fresh(app, Thread, thread.id).pinned


def test_pinned_threads_come_first(client, cast, login, create_thread):
    first = create_thread(cast.space, cast.asker, title="Pinned guidelines")
    create_thread(cast.space, cast.asker, title="A newer question")
    login(client, cast.owner)
    client.submit(f"/t/{first.id}/moderate", {"action": "pin"})
    text = page_text(client.get(f"/s/{cast.space.slug}"))
    assert text.index("Pinned guidelines") < text.index("A newer question")


def test_move_thread_between_moderated_spaces(
    app, client, cast, login, create_thread, create_space
):
    other = create_space("Second space")
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    assert client.get(f"/t/{thread.id}/move").status_code == 403
    client.submit("/logout")
    login(client, cast.owner)
    unsaid = client.submit(f"/t/{thread.id}/move", {"space": other.slug})
    assert unsaid.status_code == 200 and "Give a reason" in page_text(unsaid)
    assert fresh(app, Thread, thread.id).space_id == cast.space.id
    response = client.submit(f"/t/{thread.id}/move", {"space": other.slug, "reason": "Fits there"})
    assert response.status_code == 302
    assert fresh(app, Thread, thread.id).space_id == other.id
    assert fresh(app, Space, other.id).thread_count == 1
    assert fresh(app, Space, cast.space.id).thread_count == 0
    bad = client.submit(f"/t/{thread.id}/move", {"space": "nowhere", "reason": "r"})
    assert bad.status_code == 200 and "Not a valid choice." in page_text(bad)


def test_sorting_and_pagination(app, client, cast, login, create_thread, create_reply):
    threads = [create_thread(cast.space, cast.asker, title=f"Question {n:02d}") for n in range(23)]
    helpful = create_reply(threads[5], cast.expert)
    create_reply(threads[0], cast.expert)  # the oldest thread is now the most active one
    login(client, cast.member)
    client.submit(f"/posts/{helpful.id}/helpful")

    def order(sort: str) -> list[str]:
        text = page_text(client.get(f"/s/{cast.space.slug}?sort={sort}"))
        return re.findall(r"Question (\d\d)", text)

    assert order("activity")[0] == "00"
    assert order("newest")[0] == "22"
    assert order("helpful")[0] == "05"
    second = page_text(client.get(f"/s/{cast.space.slug}?sort=newest&page=2"))
    assert "Question 02" in second and "Question 22" not in second
    assert client.get(f"/s/{cast.space.slug}?page=99").status_code == 200
