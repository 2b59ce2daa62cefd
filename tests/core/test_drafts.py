"""Drafts kept in the browser (``community/web/drafts.py``, ``static/js/drafts.js``): every
long-text form carries its user's key, a successful post tells the next page to forget it, a
failed one does not, and signing out forgets them all. What the browser does is in
``tests/browser/test_drafts.py``."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.extensions import db
from community.forums.models import Post
from community.ideas.models import Idea
from tests.fixtures.app import page_text


def draft_keys(html: str) -> list[str]:
    return re.findall(r'data-draft="([^"]*)"', html)


def forgotten(html: str) -> list[str]:
    found = re.search(r'<body[^>]*data-drafts-forget="([^"]*)"', html)
    return found.group(1).split() if found else []


def test_every_long_text_form_carries_its_users_key(
    app, client, cast, login, create_thread, create_idea, create_article
):
    space = cast.space
    thread = create_thread(space, cast.asker)
    idea = create_idea(space, cast.asker)
    article = create_article(space, cast.owner)
    with app.app_context():
        opening = db.session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.is_opening)
        )
        idea_thread = db.session.get(Idea, idea.id).thread_id
    login(client, cast.asker)
    uid = cast.asker.id
    pages = {
        f"/s/{space.slug}/new": f"u{uid}:thread-new:{space.id}",
        f"/t/{thread.id}": f"u{uid}:reply:{thread.id}",
        f"/posts/{opening}/edit": f"u{uid}:post-edit:{opening}",
        f"/s/{space.slug}/ideas/new": f"u{uid}:idea-new:{space.id}",
        f"/ideas/{idea.id}/edit": f"u{uid}:idea-edit:{idea.id}",
        f"/ideas/{idea.id}": f"u{uid}:reply:{idea_thread}",
        f"/kb/{article.id}/edit": f"u{uid}:article-edit:{article.id}",
    }
    for url, key in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert draft_keys(response.get_data(as_text=True)) == [key], url
    client.submit("/logout", {})
    login(client, cast.owner)
    html = client.get(f"/kb/new?space={space.slug}").get_data(as_text=True)
    assert draft_keys(html) == [f"u{cast.owner.id}:article-new:{space.id}"]


def test_anonymous_visitors_get_no_draft_keys(client, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "data-draft" not in html


def test_a_posted_reply_tells_the_next_page_to_forget_its_draft_once(
    client, cast, login, create_thread
):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    response = client.submit(f"/t/{thread.id}/reply", {"body": "Recalibrate first."})
    assert response.status_code == 302
    page = client.get(response.location)
    assert forgotten(page.get_data(as_text=True)) == [f"u{cast.member.id}:reply:{thread.id}"]
    # The marker is not shown as a message beside "Reply posted.", and is said once.
    assert "Reply posted." in page_text(page) and ":reply:" not in page_text(page)
    assert forgotten(client.get(f"/t/{thread.id}").get_data(as_text=True)) == []


def test_a_failed_reply_keeps_the_draft(app, client, cast, login, create_thread):
    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    response = client.submit(f"/t/{thread.id}/reply", {"body": "b" * 50_001})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "at most 50000 characters" in html.replace(",", "")
    assert forgotten(html) == []


def test_a_new_thread_with_errors_keeps_the_draft_and_a_posted_one_forgets_it(client, cast, login):
    login(client, cast.asker)
    url = f"/s/{cast.space.slug}/new"
    form = {"kind": "question", "title": "", "body": "Drifts by 2%.", "tags": ""}
    failed = client.submit(url, form)
    assert failed.status_code == 200 and forgotten(failed.get_data(as_text=True)) == []
    posted = client.submit(url, {**form, "title": "Detector drift"})
    html = client.get(posted.location).get_data(as_text=True)
    assert forgotten(html) == [f"u{cast.asker.id}:thread-new:{cast.space.id}"]


def test_a_new_idea_and_an_edit_forget_their_drafts(client, cast, login, create_idea):
    login(client, cast.asker)
    posted = client.submit(
        f"/s/{cast.space.slug}/ideas/new",
        {"title": "Dark mode for the viewer", "body": "Night shifts.", "tags": ""},
    )
    idea_id = int(posted.location.rsplit("/", 1)[1])
    assert forgotten(client.get(posted.location).get_data(as_text=True)) == [
        f"u{cast.asker.id}:idea-new:{cast.space.id}"
    ]
    edited = client.submit(
        f"/ideas/{idea_id}/edit", {"title": "Dark mode", "body": "Night shifts.", "tags": ""}
    )
    assert forgotten(client.get(edited.location).get_data(as_text=True)) == [
        f"u{cast.asker.id}:idea-edit:{idea_id}"
    ]


def test_signing_out_forgets_every_draft(client, cast, login):
    login(client, cast.asker)
    response = client.submit("/logout", {})
    html = client.get(response.location).get_data(as_text=True)
    assert forgotten(html) == ["*"]
    assert "You are signed out." in html
