"""Knowledge base pages through the test client: who sees what (drafts, private spaces:
pages, lists, search, suggestions), forms and their bad input, the loop's links, "Did this
help?", deflection, and bounded queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.forums.models import Thread
from community.knowledge.models import Article, ArticleFeedback, Deflection
from community.spaces.models import SpaceRole
from tests.fixtures.app import page_text


@pytest.fixture
def login(login):
    """Sign in as ``user``, signing out whoever was signed in on ``client`` first."""

    def switch(client, user):
        client.submit("/logout")
        return login(client, user)

    return switch


def test_expert_writes_and_publishes_from_the_space_tab(client, cast, login):
    login(client, cast.expert)
    tab = client.get(f"/s/{cast.space.slug}/knowledge")
    assert tab.status_code == 200 and "New article" in page_text(tab)
    response = client.submit(
        f"/kb/new?space={cast.space.slug}",
        {
            "title": "Calibrate the detector",
            "body": "Hold it **still**.",
            "tags": "ct",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location)
    text = page_text(page)
    assert "Calibrate the detector" in text and "Erik" in text and "Article published." in text
    assert "<strong>still</strong>" in page.get_data(as_text=True)
    assert "Calibrate the detector" in page_text(client.get(f"/s/{cast.space.slug}/knowledge"))
    assert "Calibrate the detector" in page_text(client.get("/kb?tag=ct"))


def test_bad_input_shows_a_message_and_saves_nothing(app, client, cast, login):
    login(client, cast.expert)
    url = f"/kb/new?space={cast.space.slug}"
    for data, message in (
        ({"title": "", "body": "B"}, "Give the article a title."),
        ({"title": "T" * 250, "body": "B"}, "at most 200 characters"),
        ({"title": "T", "body": "B", "tags": "bad/tag"}, "Tags use letters"),
        ({"title": "T", "body": "B", "product": "99999"}, "Choose a product"),
    ):
        response = client.submit(url, data)
        assert response.status_code == 400 and message in page_text(response)
    # Without the CSRF token nothing is saved either.
    assert client.post(url, data={"title": "T", "body": "B"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_members_cannot_write_or_publish(client, cast, login, create_article):
    draft = create_article(cast.space, cast.expert, publish=False)
    login(client, cast.member)
    assert client.get(f"/kb/new?space={cast.space.slug}").status_code == 403
    assert client.get("/kb/new").status_code == 403
    assert client.submit(f"/kb/{draft.id}/publish").status_code == 404  # a draft is hidden
    assert "New article" not in page_text(client.get(f"/s/{cast.space.slug}/knowledge"))


def test_drafts_are_seen_by_their_authors_and_editors_only(client, cast, login, create_article):
    draft = create_article(cast.space, cast.expert, title="Unfinished notes", publish=False)
    assert client.get(f"/kb/{draft.id}").status_code == 404
    login(client, cast.member)
    assert client.get(f"/kb/{draft.id}").status_code == 404
    assert client.get(f"/kb/{draft.id}/history").status_code == 404
    assert "Unfinished notes" not in page_text(client.get("/kb"))
    assert "Unfinished notes" not in page_text(client.get(f"/s/{cast.space.slug}/knowledge"))
    for user in (cast.expert, cast.owner):
        login(client, user)
        assert client.get(f"/kb/{draft.id}").status_code == 200
        assert "Unfinished notes" in page_text(client.get("/kb"))
        assert "Unfinished notes" in page_text(client.get(f"/s/{cast.space.slug}/knowledge"))


def test_private_space_articles_are_invisible_everywhere_to_outsiders(
    client, cast, login, create_space, add_member, create_article, create_user
):
    secret = create_space("Secret Lab", visibility="private")
    insider = create_user("insider")
    add_member(secret, insider)
    add_member(secret, cast.expert, role=SpaceRole.EXPERT)
    article = create_article(secret, cast.expert, title="Calibrate the secret detector")
    login(client, cast.outsider)
    assert client.get(f"/kb/{article.id}").status_code == 404
    assert client.get(f"/kb/{article.id}/history").status_code == 404
    assert "secret detector" not in page_text(client.get("/kb?q=secret"))
    assert client.get(f"/s/{secret.slug}/knowledge").status_code == 404
    assert "Calibrate the secret detector" not in page_text(client.get("/search?q=secret+detector"))
    suggestions = client.get(f"/s/{cast.space.slug}/ask/suggestions?q=calibrate+secret+detector")
    assert "secret detector" not in suggestions.get_data(as_text=True)
    assert (
        client.submit(
            f"/s/{cast.space.slug}/ask/answered", {"target": f"article:{article.id}", "title": "x"}
        ).status_code
        == 302
    )
    with client.application.app_context():
        assert db.session.scalar(select(func.count(Deflection.id))) == 0
    login(client, insider)
    assert client.get(f"/kb/{article.id}").status_code == 200
    assert "Calibrate the secret detector" in page_text(client.get("/search?q=secret+detector"))


def test_published_articles_are_found_by_search_and_drafts_are_not(
    client, cast, login, create_article
):
    create_article(cast.space, cast.expert, title="Phantom calibration guide")
    create_article(cast.space, cast.expert, title="Phantom draft guide", publish=False)
    login(client, cast.expert)
    text = page_text(client.get("/search?q=phantom+guide"))
    assert "Phantom calibration guide" in text and "Phantom draft guide" not in text
    assert "Articles" in text


def test_turn_an_accepted_answer_into_an_article(client, cast, login, solved_question):
    thread = solved_question(cast.space, cast.asker, cast.expert, title="Detector drifts at noon")
    login(client, cast.member)
    assert "Turn this answer into an article" not in page_text(client.get(f"/t/{thread.id}"))
    assert client.submit(f"/t/{thread.id}/article").status_code == 403
    login(client, cast.expert)
    assert "Turn this answer into an article" in page_text(client.get(f"/t/{thread.id}"))
    response = client.submit(f"/t/{thread.id}/article")
    assert response.status_code == 302 and response.location.endswith("/edit")
    edit = client.get(response.location)
    assert "Detector drifts at noon" in edit.get_data(as_text=True)
    article_id = int(re.search(r"/kb/(\d+)/edit", response.location).group(1))
    client.submit(f"/kb/{article_id}/publish")
    assert "This answer became the article Detector drifts at noon" in page_text(
        client.get(f"/t/{thread.id}")
    )
    page = page_text(client.get(f"/kb/{article_id}"))
    assert "From the accepted answer to Detector drifts at noon" in page
    # Readers see the link only once the article is readable to them.
    login(client, cast.member)
    assert "This answer became the article" in page_text(client.get(f"/t/{thread.id}"))


def test_draft_article_link_is_hidden_on_the_thread_from_members(
    client, cast, login, solved_question
):
    thread = solved_question(cast.space, cast.asker, cast.expert)
    login(client, cast.expert)
    client.submit(f"/t/{thread.id}/article")
    login(client, cast.member)
    assert "This answer became the article" not in page_text(client.get(f"/t/{thread.id}"))


def test_feedback_once_per_reader_with_the_rate_shown_to_editors(
    app, client, cast, login, create_article
):
    article = create_article(cast.space, cast.expert)
    login(client, cast.member)
    client.submit(f"/kb/{article.id}/feedback", {"helpful": "yes"})
    client.submit(f"/kb/{article.id}/feedback", {"helpful": "no"})
    page = page_text(client.get(f"/kb/{article.id}"))
    assert "You said this didn't help." in page and "found this helpful" not in page
    assert client.submit(f"/kb/{article.id}/feedback", {"helpful": "maybe"}).status_code == 302
    login(client, cast.asker)
    client.submit(f"/kb/{article.id}/feedback", {"helpful": "yes"})
    login(client, cast.expert)
    assert "1 of 2 found this helpful" in page_text(client.get(f"/kb/{article.id}"))
    with app.app_context():
        assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 2


def test_suggest_accept_history_and_diff(client, cast, login, create_article):
    article = create_article(cast.space, cast.expert, body="Press the red button.")
    login(client, cast.member)
    assert "Suggest an edit" in page_text(client.get(f"/kb/{article.id}"))
    response = client.submit(
        f"/kb/{article.id}/edit",
        {"title": article.title, "body": "Press the green button.", "summary": "Colour fix"},
    )
    assert response.status_code == 302
    login(client, cast.expert)
    page = page_text(client.get(f"/kb/{article.id}"))
    assert "1 suggested edit waiting" in page and "Colour fix" in page
    with client.application.app_context():
        from community.knowledge.models import ArticleRevision

        pending = db.session.scalar(
            select(ArticleRevision).where(ArticleRevision.state == "pending")
        )
        pending_id = pending.id
    diff = client.get(f"/kb/{article.id}/revisions/{pending_id}").get_data(as_text=True)
    assert "<del>red</del>" in diff and "<ins>green</ins>" in diff
    client.submit(f"/kb/suggestions/{pending_id}/accept")
    text = page_text(client.get(f"/kb/{article.id}"))
    assert "Press the green button." in text and "Greta" in text
    assert "Colour fix" in page_text(client.get(f"/kb/{article.id}/history"))
    # The outsider cannot see a pending suggestion's diff nor accept one.
    login(client, cast.outsider)
    assert client.submit(f"/kb/suggestions/{pending_id}/accept").status_code == 403


def test_deflection_suggestions_and_answered(
    app, client, cast, login, create_article, solved_question
):
    article = create_article(cast.space, cast.expert, title="Calibrating the detector")
    create_article(cast.space, cast.expert, title="Calibrating the drafts", publish=False)
    solved = solved_question(cast.space, cast.asker, cast.expert, title="Calibrating after a move")
    login(client, cast.member)
    html = client.get(f"/s/{cast.space.slug}/ask/suggestions?q=calibrating").get_data(as_text=True)
    assert "Calibrating the detector" in html and "Calibrating after a move" in html
    assert "Calibrating the drafts" not in html
    assert f'data-shown="article:{article.id},thread:{solved.id}"' in html or (
        f"article:{article.id}" in html and f"thread:{solved.id}" in html
    )
    response = client.submit(
        f"/s/{cast.space.slug}/ask/answered",
        {"target": f"article:{article.id}", "title": "How to calibrate?"},
    )
    assert response.status_code == 302 and response.location.endswith(f"/kb/{article.id}")
    assert "Your question was not posted." in page_text(client.get(response.location))
    with app.app_context():
        deflection = db.session.scalar(select(Deflection))
        assert (deflection.kind, deflection.title, deflection.article_id) == (
            "answered",
            "How to calibrate?",
            article.id,
        )
        assert (
            db.session.scalar(
                select(func.count(Thread.id)).where(Thread.title == "How to calibrate?")
            )
            == 0
        )
    # Garbage targets change nothing.
    assert (
        client.submit(
            f"/s/{cast.space.slug}/ask/answered", {"target": "article:abc", "title": "x"}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Deflection.id))) == 1


def test_new_question_records_asked_despite_suggestions(app, client, cast, login, create_article):
    article = create_article(cast.space, cast.expert)
    login(client, cast.member)
    form = client.get(f"/s/{cast.space.slug}/new?kind=question").get_data(as_text=True)
    assert 'id="suggestions_shown"' in form and "kb-deflection" in form
    response = client.submit(
        f"/s/{cast.space.slug}/new",
        {
            "kind": "question",
            "title": "Still stuck",
            "body": "Tried it.",
            "suggestions_shown": f"article:{article.id},junk",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        deflection = db.session.scalar(select(Deflection))
        assert deflection.kind == "asked" and deflection.shown == f"article:{article.id}"


def test_whats_new_article_is_shown_on_the_idea_page(
    client, cast, login, create_idea, create_product, create_release, set_status, link_idea
):
    product = create_product([cast.space], name="Scanner")
    release = create_release(product, "3.0")
    idea = create_idea(cast.space, cast.asker, title="Batch export")
    link_idea(idea, cast.owner, product)
    set_status(idea, "shipped", cast.owner)
    link_idea(idea, cast.owner, product, release)
    login(client, cast.owner)
    page = page_text(client.get(f"/ideas/{idea.id}"))
    assert "What's new: Batch export" in page
    login(client, cast.member)
    assert "What's new: Batch export" not in page_text(client.get(f"/ideas/{idea.id}"))


def test_pages_run_a_bounded_number_of_queries(
    app, client, cast, login, create_article, create_user, count_queries
):
    from community.accounts.models import User
    from community.knowledge import operations
    from community.spaces.models import Membership

    target = create_article(cast.space, cast.expert, title="Counted")
    readers = [create_user(f"reader{n}") for n in range(30)]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            create_article(cast.space, cast.expert, title=f"Bulk {i}", tags=f"t{i % 4}")
            with app.test_request_context():
                row = db.session.get(Article, target.id)
                operations.edit_article(
                    row,
                    title=row.title,
                    body=f"Version {i}",
                    summary=f"v{i}",
                    by=db.session.get(User, cast.expert.id if i % 2 else cast.owner.id),
                )
                reader = db.session.get(User, readers[i].id)
                db.session.add(
                    Membership(
                        space_id=cast.space.id, user_id=reader.id, role="member", state="active"
                    )
                )
                db.session.flush()
                operations.rate_article(row, by=reader, helpful=bool(i % 3))
                db.session.commit()

    login(client, cast.expert)

    def measure() -> int:
        with count_queries() as queries:
            for url in (
                "/kb",
                f"/s/{cast.space.slug}/knowledge",
                f"/kb/{target.id}",
                f"/kb/{target.id}/history",
                "/kb?tag=t1",
            ):
                assert client.get(url).status_code == 200
        return len(queries)

    add(3, 0)
    few = measure()
    add(27, 3)
    assert measure() == few
