"""Hidden content: gone for readers (pages, lists, search), visible to its author (marked) and
to moderators."""

from __future__ import annotations

from tests.fixtures.app import page_text


def test_a_hidden_reply_shows_a_placeholder_to_readers(
    app, client, login, cast, space_mod, create_thread, create_reply, flag
):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.member, body="Buy followers at example dot com")
    flag(reply, space_mod)
    text = page_text(client.get(f"/t/{thread.id}"))
    assert "hidden pending review" in text and "Buy followers" not in text
    login(client, cast.member)
    text = page_text(client.get(f"/t/{thread.id}"))
    assert "Buy followers" in text and "only you and the moderators see this" in text
    moderator = app.test_client()
    login(moderator, space_mod)
    assert "Buy followers" in page_text(moderator.get(f"/t/{thread.id}"))


def test_a_hidden_thread_leaves_lists_and_search(
    app, client, login, cast, space_mod, create_thread, flag
):
    thread = create_thread(cast.space, cast.asker, title="Zanzibar phantom spam offer")
    assert "Zanzibar" in page_text(client.get("/search?q=Zanzibar"))
    flag(thread, space_mod)
    assert "Zanzibar" not in page_text(client.get(f"/s/{cast.space.slug}"))
    assert "phantom spam offer" not in page_text(client.get("/search?q=Zanzibar"))
    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200 and "Hidden pending review" in page_text(page)
    assert "phantom spam offer" not in page_text(page).replace("Zanzibar", "")
    login(client, cast.asker)
    assert "Zanzibar" in page_text(client.get(f"/s/{cast.space.slug}"))
    own = page_text(client.get(f"/t/{thread.id}"))
    assert "Zanzibar" in own and "Hidden pending review" in own


def test_a_hidden_idea_leaves_idea_lists(app, client, login, cast, space_mod, create_idea, flag):
    idea = create_idea(cast.space, cast.asker, title="Quokka discount codes")
    assert "Quokka" in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    flag(idea, space_mod)
    assert "Quokka" not in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    assert "Quokka" not in page_text(client.get("/ideas"))
    assert "Quokka" not in page_text(client.get(f"/ideas/{idea.id}"))
    moderator = app.test_client()
    login(moderator, space_mod)
    assert "Quokka" in page_text(moderator.get(f"/s/{cast.space.slug}/ideas"))
    assert "Quokka" in page_text(moderator.get(f"/ideas/{idea.id}"))


def test_a_hidden_ideas_discussion_is_hidden_with_it(
    app, client, cast, space_mod, create_idea, create_reply, flag
):
    from community.extensions import db
    from community.forums.models import Thread

    idea = create_idea(cast.space, cast.asker, title="Quokka mode", body="Numbat details")
    with app.app_context():
        thread = db.session.get(Thread, idea.thread_id)
        db.session.expunge(thread)
    create_reply(thread, cast.member, body="Wombat sightings in the discussion")
    assert "Nothing found" not in page_text(client.get("/search?q=Wombat"))
    flag(idea, space_mod)
    assert "Nothing found for “Wombat”" in page_text(client.get("/search?q=Wombat"))
    page = page_text(client.get(f"/t/{thread.id}"))
    assert "Numbat" not in page and "Wombat" not in page and "Hidden pending review" in page
