"""The top ideas by votes in a range: the threshold walk down ``vote_count`` gives exactly what
grouping every vote of the range gives, whatever the range, segment, space or product, with
ties, moved votes and the walk's own fallbacks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from community.accounts.models import User
from community.analytics import votes
from community.analytics.dashboard.demand import demand
from community.analytics.dashboard.scope import Scope
from community.extensions import db
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import Idea, IdeaVote
from community.permissions import Role
from tests.fixtures.postgres import app_on

SEGMENTS = ("", "enterprise", "education")
NOW = datetime.now(UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The walk's SQL (a correlated count, row ranges) runs on both databases."""
    with app_on(request.param, tmp_path, "cocreate_top_votes") as app:
        yield app


@pytest.fixture
def voted(app, create_space, create_user, add_member, create_idea, create_product):
    """Ideas in two spaces (some of a product) with votes spread over sixty days, skewed so
    that counts tie, plus one idea merged into another (its votes moved there)."""
    space, other = create_space("Imaging"), create_space("Dosimetry")
    author = create_user("author")
    voters = [create_user(f"voter{n}") for n in range(14)]
    for person in (author, *voters):
        add_member(space, person)
        add_member(other, person)
    product = create_product([space, other])
    made = [create_idea(space if n % 3 else other, author, title=f"Idea {n}") for n in range(24)]
    draw = random.Random(7)
    with app.app_context():
        db.session.execute(
            update(Idea).where(Idea.id.in_([i.id for i in made[::4]])).values(product_id=product.id)
        )
        for position, idea in enumerate(made):
            for voter in draw.sample(voters, k=draw.randint(0, len(voters) - position // 3)):
                db.session.add(
                    IdeaVote(
                        idea_id=idea.id,
                        user_id=voter.id,
                        segment=draw.choice(SEGMENTS),
                        organisation="",
                        created_at=NOW - timedelta(days=draw.randint(0, 59), hours=1),
                    )
                )
        ideas.recount_votes()
        db.session.commit()
    with app.test_request_context():
        staff = db.session.get(User, create_user("staff", role=Role.ADMIN).id)
        curation.merge_idea(
            db.session.get(Idea, made[5].id), made[1].id, response="Same request.", by=staff
        )
        db.session.commit()
    return space, other, product


def by_hand(conditions, since, until, segment) -> list[tuple[int, int]]:
    """Every vote read into Python and counted."""
    ideas_in = set(db.session.scalars(select(Idea.id).where(*conditions)))
    counts: dict[int, int] = {}
    for idea_id, at, vote_segment in db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.created_at, IdeaVote.segment)
    ):
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if idea_id in ideas_in and since <= at < until and segment in ("", vote_segment):
            counts[idea_id] = counts.get(idea_id, 0) + 1
    return sorted(counts.items(), key=lambda row: (-row[1], row[0]))[:5]


def test_the_walk_and_its_fallbacks_count_exactly(app, voted, monkeypatch):
    space, other, product = voted
    filters = [
        [],
        [Idea.space_id.in_([space.id])],
        [Idea.space_id.in_([space.id, other.id]), Idea.product_id == product.id],
    ]
    ranges = [(60, 0), (7, 0), (30, 20), (1, 0), (200, 100)]
    with app.app_context():
        for conditions in filters:
            for days_back, days_to in ranges:
                since, until = NOW - timedelta(days=days_back), NOW - timedelta(days=days_to)
                for segment in SEGMENTS:
                    expected = by_hand(conditions, since, until, segment)
                    # Few votes: grouped directly.
                    assert votes.most_voted(conditions, since, until, segment, 5) == expected
                    with monkeypatch.context() as patch:
                        patch.setattr(votes, "FEW_VOTES", 0)  # always walk
                        for batch in (1, 2, 25):
                            patch.setattr(votes, "FIRST_BATCH", batch)
                            found = votes.most_voted(conditions, since, until, segment, 5)
                            assert found == expected, (conditions, days_back, segment, batch)
                        patch.setattr(votes, "FIRST_BATCH", 1)
                        patch.setattr(votes, "WALK_MAX", 2)  # give up and group
                        assert votes.most_voted(conditions, since, until, segment, 5) == expected


def test_the_walk_stops_early_when_the_top_counts_are_high(app, voted, monkeypatch, count_queries):
    """Sixty days hold nearly every vote: the walk needs only the first batches."""
    monkeypatch.setattr(votes, "FEW_VOTES", 0)
    monkeypatch.setattr(votes, "FIRST_BATCH", 3)
    with app.app_context(), count_queries() as queries:
        found = votes.most_voted([], NOW - timedelta(days=61), NOW, "", 3)
    walks = [q for q in queries if "vote_count >=" in q]
    assert found and 1 <= len(walks) <= 3
    assert not [q for q in queries if "GROUP BY" in q]


def test_the_dashboard_lists_the_same_top_ideas_walking_or_grouping(app, voted, monkeypatch):
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "staff"))
        scope = Scope(start=(NOW - timedelta(days=45)).date(), end=NOW.date())
        for segment in SEGMENTS:
            grouped = demand(staff, Scope(scope.start, scope.end, segment=segment))
            with monkeypatch.context() as patch:
                patch.setattr(votes, "FEW_VOTES", 0)
                walked = demand(staff, Scope(scope.start, scope.end, segment=segment))
            assert walked.top_by_votes == grouped.top_by_votes
            assert grouped.top_by_votes
