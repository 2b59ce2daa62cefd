"""The demo's ideas: every status, two languages, many organisations, dated over weeks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.database import utcnow
from community.extensions import db
from community.forums.models import Post
from community.ideas.models import Idea, IdeaStatus, IdeaStatusChange, IdeaVote
from tests.fixtures.app import page_text


@pytest.fixture
def app(demo_app):
    """The demo, loaded once per test process and copied for each test."""
    return demo_app


def test_demo_ideas_cover_the_pipeline_with_dated_votes_and_responses(app, client):
    now = utcnow()
    with app.app_context():
        all_ideas = db.session.scalars(select(Idea)).all()
        statuses = {idea.status for idea in all_ideas}
        assert statuses >= {s.value for s in IdeaStatus} - {"merged"}
        assert any(re.search("[\u4e00-\u9fff]", i.title) for i in all_ideas)
        assert any(i.title.isascii() for i in all_ideas)
        ages = [now - i.created_at for i in all_ideas]
        assert min(ages) < timedelta(days=3) and max(ages) > timedelta(days=45)

        votes = db.session.scalars(select(IdeaVote)).all()
        assert len({v.organisation for v in votes}) >= 12
        assert len({v.segment for v in votes}) >= 6
        for idea in all_ideas:
            mine = [v for v in votes if v.idea_id == idea.id]
            assert idea.vote_count == len(mine)
            assert all(idea.created_at <= v.created_at <= now for v in mine)
            steps = db.session.scalars(
                select(IdeaStatusChange)
                # Status steps; product and release links are dated steps of their own.
                .where(IdeaStatusChange.idea_id == idea.id, IdeaStatusChange.kind == "status")
                .order_by(IdeaStatusChange.id)
            ).all()
            assert (idea.status == "new") == (not steps)
            assert all(step.response_html for step in steps)
            times = [idea.created_at, *(s.created_at for s in steps)]
            assert times == sorted(times)
            assert idea.updated_at >= times[-1]
        recent = now - timedelta(days=14)
        assert db.session.scalar(select(func.count()).where(IdeaVote.created_at >= recent)) > 10
        assert db.session.scalar(select(func.count()).where(IdeaVote.created_at < recent)) > 30
        replies = select(func.count(Post.id)).where(Post.is_opening.is_(False))
        assert db.session.scalar(replies.where(Post.created_at >= recent)) >= 5

    def first_titles(sort: str) -> list[str]:
        text = page_text(client.get(f"/s/imaging-workflows/ideas?sort={sort}"))
        with app.app_context():
            titles = db.session.scalars(select(Idea.title)).all()
        return sorted((t for t in titles if t in text), key=text.index)[:3]

    trending, newest, top = first_titles("trending"), first_titles("newest"), first_titles("top")
    assert trending[0] == "A queue view of today's scheduled scans for each room"
    assert newest[0] == "Warn before a contrast injector protocol is changed mid-shift"
    assert len({tuple(trending), tuple(newest), tuple(top)}) == 3
