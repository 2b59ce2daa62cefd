"""Pages run a bounded number of SQL queries whatever the number of rows; counters stay
right under concurrent writes."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import MapAdapter

from community.extensions import db
from community.forums.models import Post, Thread
from community.permissions import guardian
from community.spaces.models import Membership, Space


def test_space_page_query_count_is_bounded(client, cast, login, create_thread, count_queries):
    login(client, cast.member)
    for _ in range(5):
        create_thread(cast.space, cast.asker, tags="ct, mri")
    with count_queries() as few:
        assert client.get(f"/s/{cast.space.slug}").status_code == 200
    for _ in range(45):
        create_thread(cast.space, cast.expert, tags="ct")
    with count_queries() as many:
        assert client.get(f"/s/{cast.space.slug}").status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) <= 15


def test_thread_page_query_count_is_bounded(
    client, cast, login, create_thread, create_reply, count_queries
):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    people = [cast.expert, cast.owner, cast.asker]
    for n in range(5):
        create_reply(thread, people[n % 3])
    with count_queries() as few:
        assert client.get(f"/t/{thread.id}").status_code == 200
    for n in range(45):
        create_reply(thread, people[n % 3])
    with count_queries() as many:
        assert client.get(f"/t/{thread.id}").status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    # The thread with its space and the reader's membership is one query, the header's counts
    # (questions for you, warnings, unread notifications) one more; the follow control and
    # the expert badges and a question's routing one each.
    assert len(many) <= 12, many


def test_directory_query_count_is_bounded(client, create_space, create_user, login, count_queries):
    login(client, create_user())
    for _ in range(5):
        create_space(tags="ct")
    with count_queries() as few:
        assert client.get("/spaces").status_code == 200
    for _ in range(45):
        create_space(tags="ct, mri")
    with count_queries() as many:
        assert client.get("/spaces").status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_members_page_query_count_is_bounded(
    client, cast, create_user, add_member, login, count_queries
):
    login(client, cast.owner)
    with count_queries() as few:
        client.get(f"/s/{cast.space.slug}/members")
    for _ in range(40):
        add_member(cast.space, create_user())
    with count_queries() as many:
        client.get(f"/s/{cast.space.slug}/members")
    assert len(many) == len(few)


@pytest.mark.race
def test_counters_stay_right_under_concurrent_writes(app, cast, create_thread, create_user, login):
    thread = create_thread(cast.space, cast.asker)
    joiners = [create_user() for _ in range(6)]
    errors = []

    def reply_many(user):
        c = app.test_client()
        login(c, user)
        for n in range(5):
            if c.submit(f"/t/{thread.id}/reply", {"body": f"reply {n}"}).status_code != 302:
                errors.append(n)

    def join(user):
        c = app.test_client()
        login(c, user)
        if c.submit(f"/s/{cast.space.slug}/join").status_code != 302:
            errors.append(user.username)

    workers = [
        threading.Thread(target=reply_many, args=(u,))
        for u in (cast.expert, cast.member, cast.asker)
    ]
    workers += [threading.Thread(target=join, args=(u,)) for u in joiners]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with app.app_context():
        row = db.session.get(Thread, thread.id)
        replies = db.session.scalar(
            select(func.count(Post.id)).where(
                Post.thread_id == thread.id, Post.is_opening.is_(False)
            )
        )
        assert row.reply_count == replies == 15
        space = db.session.get(Space, cast.space.id)
        members = db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.space_id == space.id, Membership.state == "active"
            )
        )
        assert space.member_count == members


def _questions_asked(monkeypatch) -> Counter:
    """Count each rule the guardian runs, by action and object."""
    asked: Counter = Counter()
    for action, rule in list(guardian._rules.items()):

        def counted(user, obj, action=action, rule=rule):
            asked[action, type(obj).__name__, getattr(obj, "id", None)] += 1
            return rule(user, obj)

        monkeypatch.setitem(guardian._rules, action, counted)
    return asked


@pytest.mark.parametrize("reader", ["member", "owner", "anonymous"])
def test_thread_page_asks_each_question_once(
    client, cast, login, create_thread, create_reply, monkeypatch, reader
):
    """However many posts a thread shows, the page works out what the reader may do to the
    thread and its space once (the view asks "may they read it" once more before the page)."""
    thread = create_thread(cast.space, cast.asker)
    if reader != "anonymous":
        login(client, getattr(cast, reader))
    people = [cast.expert, cast.owner, cast.asker, cast.member]
    counts = []
    for replies in (4, 24):
        while thread.reply_count < replies:
            create_reply(thread, people[thread.reply_count % 4])
            thread.reply_count += 1
        asked = _questions_asked(monkeypatch)
        assert client.get(f"/t/{thread.id}").status_code == 200
        assert max(asked.values()) <= 2, asked.most_common(3)
        counts.append({k: n for k, n in asked.items() if k[1] in ("Thread", "Space")})
    assert counts[0] == counts[1]


def test_thread_page_draws_each_expert_badge_once(
    app, client, cast, create_thread, create_reply, declare, verify, monkeypatch
):
    """An expert who writes many of a thread's posts gets their badge drawn once per page."""
    declare(cast.expert, "ct, mri")
    verify(cast.expert, "ct", by=cast.owner, space=cast.space)
    thread = create_thread(cast.space, cast.asker)
    looked_up = Counter()
    verified_tags = app.jinja_env.globals["verified_tags"]

    def counted(user):
        looked_up[user.id] += 1
        return verified_tags(user)

    monkeypatch.setitem(app.jinja_env.globals, "verified_tags", counted)
    counts = []
    for replies in (2, 12):
        while thread.reply_count < replies:
            create_reply(thread, cast.expert)
            thread.reply_count += 1
        looked_up.clear()
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
        assert page.count('data-testid="expert-badge"') == replies
        counts.append(looked_up[cast.expert.id])
    assert counts[0] == counts[1] == 1


#: The links each post of a thread page has (forums.thread, the quote link, shares its endpoint
#: with the pager's links).
POST_LINKS = {
    "forums.post",
    "forums.history",
    "forums.helpful",
    "forums.accept",
    "forums.edit",
    "forums.delete",
    "forums.restore",
    "moderation.flag",
}


@pytest.mark.parametrize("reader", ["member", "owner", "anonymous"])
def test_thread_page_builds_each_post_link_once(
    client, cast, login, create_thread, create_reply, monkeypatch, reader
):
    """A post's links (its address, helpful, accept, edit, delete, flag…) are built once per
    page and filled in with each post's id, however many posts the page shows; they are the
    addresses url_for builds."""
    thread = create_thread(cast.space, cast.asker, kind="question")
    if reader != "anonymous":
        login(client, getattr(cast, reader))
    built: Counter = Counter()
    build = MapAdapter.build

    def counted(self, endpoint, values=None, *args, **kwargs):
        built[endpoint] += 1
        return build(self, endpoint, values, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counted)
    people = [cast.expert, cast.owner, cast.asker, cast.member]
    for _ in range(18):
        create_reply(thread, people[_ % 4])
    built.clear()  # replying builds addresses too (for the search index)
    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200
    # Once each; the flag link twice: the opening post flags the thread, replies themselves.
    most = {e: 2 if e == "moderation.flag" else 1 for e in POST_LINKS}
    assert {e: n for e, n in built.items() if e in POST_LINKS and n > most[e]} == {}
    assert built["forums.post"] == 1
    html = page.get_data(as_text=True)
    with client.application.test_request_context():
        posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
        for post in posts:
            assert f'href="{url_for("forums.post", post_id=post.id)}"' in html
            if reader == "owner":  # a moderator edits and deletes every post
                assert f'href="{url_for("forums.edit", post_id=post.id)}"' in html
                assert f'action="{url_for("forums.delete", post_id=post.id)}"' in html
            if reader != "anonymous" and post.author_id != getattr(cast, reader).id:
                target = ("thread", thread.id) if post.is_opening else ("post", post.id)
                flag = url_for("moderation.flag", target_type=target[0], target_id=target[1])
                assert f'href="{flag}"' in html


@pytest.mark.parametrize("reader", ["member", "owner", "anonymous"])
def test_replies_are_counted_from_the_posts_alone(
    client, cast, login, create_thread, create_reply, count_queries, reader
):
    """The pager's count of a thread's replies reads the posts, not the page's query (with its
    authors' join) as a subquery; and it counts what that reader is shown."""
    thread = create_thread(cast.space, cast.asker, kind="discussion")
    if reader != "anonymous":
        login(client, getattr(cast, reader))
    for n in range(23):
        create_reply(thread, [cast.expert, cast.asker][n % 2])
    with count_queries() as queries:
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    counts = [q for q in queries if "count(" in q.lower() and "posts" in q]
    assert len(counts) == 1, counts
    assert "users" not in counts[0] and "select posts.id as id" not in counts[0].lower()
    assert f"/t/{thread.id}?page=2" in page and f"/t/{thread.id}?page=3" not in page


@pytest.mark.parametrize("reader", ["member", "outsider"])
def test_pages_read_the_readers_membership_with_what_they_show(
    client, cast, login, create_thread, create_idea, count_queries, reader
):
    """A thread, an idea and a space's pages load the reader's membership of the space in
    the query that loads the thread, idea or space, not in one of its own; what the page
    offers still follows it (members reply, outsiders are asked to join)."""
    thread = create_thread(cast.space, cast.asker)
    idea = create_idea(cast.space, cast.asker)
    login(client, getattr(cast, reader))
    for path in (
        f"/t/{thread.id}",
        f"/ideas/{idea.id}",
        f"/s/{cast.space.slug}",
        f"/s/{cast.space.slug}/ideas",
    ):
        with count_queries() as queries:
            page = client.get(path)
        assert page.status_code == 200
        alone = [
            q
            for q in queries
            if q.lstrip().startswith("SELECT memberships.") and "memberships.user_id = ?" in q
        ]
        assert not alone, (path, alone)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert ('name="body"' in html) == (reader == "member")


def test_a_page_asks_which_posts_the_reader_marked_only_about_posts_someone_marked(
    client, cast, login, create_thread, create_reply, count_queries
):
    """Posts nobody marked helpful (their kept count is 0) cannot be marked by the reader:
    a page of them asks nothing; once one is marked, the page asks about it alone and shows
    the reader's mark."""
    thread = create_thread(cast.space, cast.asker)
    replies = [create_reply(thread, cast.expert) for _ in range(3)]
    login(client, cast.member)
    with count_queries() as queries:
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert not [q for q in queries if "helpful_marks" in q]
    assert 'aria-pressed="true"' not in page
    client.submit(f"/posts/{replies[1].id}/helpful")
    with count_queries() as queries:
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    asked = [q for q in queries if "helpful_marks" in q]
    assert len(asked) == 1 and asked[0].count("?") == 2, asked  # the reader and one post
    assert page.count('aria-pressed="true"') == 1
