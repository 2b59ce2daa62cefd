"""The demo's experts: declared and verified tags in both languages, an expert community."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.demo import DEMO_PASSWORD
from community.experts.models import Expertise, RoutedQuestion
from community.extensions import db
from community.spaces.models import Space
from tests.fixtures.app import page_text


@pytest.fixture
def app(demo_app):
    """The demo, loaded once per test process and copied for each test."""
    return demo_app


def test_demo_has_verified_experts_and_an_expert_community(app, client):
    with app.app_context():
        rows = db.session.scalars(select(Expertise)).all()
        verified = [e for e in rows if e.is_verified]
        assert len(verified) >= 8 and len(rows) > len(verified)
        assert any(e.verified_in_space_id is None for e in verified)
        assert any(e.verified_in_space_id is not None for e in verified)
        assert all(e.verified_by_id != e.user_id for e in verified)
        communities = db.session.scalars(select(Space.slug).where(Space.expert_community)).all()
        assert communities == ["rendering-partners"]
    directory = page_text(client.get("/experts"))
    assert "Erik Lindqvist" in directory and "#家居设计" in directory
    assert "Casey Morgan" not in directory  # declared only
    threads = [client.get(f"/t/{n}").get_data(as_text=True) for n in range(1, 6)]
    assert any('data-testid="expert-badge"' in html for html in threads)


def test_demo_has_routed_questions_one_answered_one_waiting(app, client, login):
    with app.app_context():
        routed = db.session.scalars(select(RoutedQuestion).order_by(RoutedQuestion.id)).all()
        assert len(routed) == 2
        answered, waiting = routed
        assert answered.claimed_by.username == "expert"
        assert answered.answered_by.username == "expert"
        assert answered.thread.is_solved
        assert answered.routed_at < answered.claimed_at < answered.answered_at
        assert waiting.claimed_by_id is None and waiting.answered_at is None
        erik = db.session.scalar(select(User).where(User.username == "expert"))
    login(client, erik, password=DEMO_PASSWORD)
    page = page_text(client.get("/experts/questions"))
    assert "Which phantom should we use" in page and "Can the PACS export" in page
    assert "1 question waits for you" in page
