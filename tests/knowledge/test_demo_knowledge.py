"""The demo's knowledge base: articles from accepted answers and shipped ideas (one a draft),
site-wide how-tos, a waiting suggestion, feedback and deflections."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.knowledge.models import Article, ArticleFeedback, Deflection, RevisionState
from tests.fixtures.app import page_text


@pytest.fixture
def app(demo_app):
    """The demo, loaded once per test process and copied for each test."""
    return demo_app


def test_demo_knowledge_base(app, client):
    with app.app_context():
        articles = db.session.scalars(select(Article)).all()
        from_answers = [a for a in articles if a.source_thread_id]
        whats_new = [a for a in articles if a.source_idea_id]
        site_wide = [a for a in articles if a.space_id is None]
        assert len(from_answers) >= 3 and all(a.is_published for a in from_answers)
        assert {a.status for a in whats_new} == {"published", "draft"}
        assert len(site_wide) == 3
        assert db.session.scalar(select(func.count(ArticleFeedback.id))) > 10
        assert db.session.scalar(select(func.count(Deflection.id))) > 3
        from community.knowledge.models import ArticleRevision

        assert (
            db.session.scalar(
                select(func.count(ArticleRevision.id)).where(
                    ArticleRevision.state == RevisionState.PENDING
                )
            )
            == 1
        )
    text = page_text(client.get("/kb"))
    assert "How questions become knowledge here" in text and "What's new" in text
    assert "Assembly hardware in numbered bags" not in text  # a draft, hidden from visitors
