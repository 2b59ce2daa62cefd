"""The votes rollup (votes per day, segment and organisation; each voter's last vote) follows
the votes through the operations, agrees with a recount from scratch and with the migration's
backfill, and gives the demand view the breakdowns that counting the votes gives."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from community.accounts.models import User
from community.analytics import rollup
from community.analytics.dashboard import demand
from community.analytics.dashboard.scope import Scope
from community.analytics.models import VoteDay, VoteVoter
from community.database import utcnow
from community.extensions import db
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import IdeaVote
from community.permissions import Role
from tests.fixtures.app import act
from tests.fixtures.postgres import app_on
from tests.ideas.test_budget_races import JSON, at_once, clients_for

MIGRATION = "3d8e51c0a7b2_insights_votes_rollup_and_indexes.py"
TODAY = utcnow().date()


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The rollup's upserts and the backfill are spelt per database: check both."""
    with app_on(request.param, tmp_path, "cocreate_vote_rollup") as app:
        yield app


def kept(app) -> tuple[set[tuple], set[tuple]]:
    with app.app_context():
        return (
            {
                (r.day, r.segment, r.organisation, r.votes)
                for r in db.session.scalars(select(VoteDay))
            },
            {
                (r.segment, r.organisation, r.user_id, r.last_voted_at)
                for r in db.session.scalars(select(VoteVoter))
            },
        )


def assert_same_as_recount(app) -> None:
    before = kept(app)
    with app.app_context():
        rollup.rebuild()
        db.session.commit()
    assert kept(app) == before


@pytest.fixture
def people(create_space, create_user, add_member):
    space = create_space("Imaging")
    other = create_space("Dosimetry")
    ann = create_user("ann", segment="enterprise", organisation="Acme")
    bob = create_user("bob", segment="education", organisation="District 9")
    cy = create_user("cy", segment="enterprise")
    admin = create_user("admin", role=Role.ADMIN)
    for person in (ann, bob, cy):
        add_member(space, person)
        add_member(other, person)
    return space, other, ann, bob, cy, admin


def test_votes_are_kept_until_taken_back(app, people, create_idea, vote_for):
    space, _other, ann, bob, cy, _admin = people
    first, second = create_idea(space, bob), create_idea(space, cy)
    vote_for(first, ann)
    vote_for(second, ann)
    vote_for(first, cy)
    days, voters = kept(app)
    assert days == {(TODAY, "enterprise", "Acme", 2), (TODAY, "enterprise", "", 1)}
    assert {v[:3] for v in voters} == {("enterprise", "Acme", ann.id), ("enterprise", "", cy.id)}
    assert_same_as_recount(app)
    with app.app_context():
        last_vote = db.session.scalar(
            select(IdeaVote.created_at).where(IdeaVote.idea_id == second.id)
        )
    act(app, ideas.retract_vote, second, User(id=ann.id))
    days, voters = kept(app)
    assert (TODAY, "enterprise", "Acme", 1) in days
    # The last vote left is the earlier one.
    ann_row = next(v for v in voters if v[2] == ann.id)
    assert ann_row[3] < last_vote
    assert_same_as_recount(app)
    act(app, ideas.retract_vote, first, User(id=ann.id))
    days, voters = kept(app)
    assert days == {(TODAY, "enterprise", "", 1)}
    assert {v[2] for v in voters} == {cy.id}
    assert_same_as_recount(app)


def test_merge_unmerge_and_delete_recount_the_votes_moved(
    app, people, create_idea, vote_for, space_owner
):
    space, other, ann, bob, cy, _admin = people
    duplicate = create_idea(space, bob, title="Dark mode")
    original = create_idea(other, bob, title="Dark theme")
    vote_for(duplicate, ann)
    vote_for(duplicate, cy)
    with app.app_context():
        # Votes cast days ago: the copies keep their time, so other days' rows change.
        db.session.execute(
            update(IdeaVote)
            .where(IdeaVote.idea_id == duplicate.id)
            .values(created_at=utcnow() - timedelta(days=3))
        )
        rollup.rebuild()
        db.session.commit()
    act(app, curation.merge_idea, duplicate, original.id, response="Same request.", by=space_owner)
    days, _voters = kept(app)
    assert (TODAY - timedelta(days=3), "enterprise", "Acme", 2) in days
    assert_same_as_recount(app)
    act(app, curation.unmerge_idea, duplicate, by=space_owner)
    days, _voters = kept(app)
    assert (TODAY - timedelta(days=3), "enterprise", "Acme", 1) in days
    assert_same_as_recount(app)
    act(app, ideas.delete_idea, duplicate, by=space_owner)
    assert kept(app) == (set(), set())
    assert_same_as_recount(app)


def test_the_migrations_backfill_counts_what_the_receivers_kept(app, people, create_idea, vote_for):
    space, _other, ann, bob, cy, _admin = people
    idea = create_idea(space, bob)
    for voter in (ann, cy):
        vote_for(idea, voter)
    vote_for(create_idea(space, ann), bob)
    before = kept(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("votes_rollup_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        for model in (VoteDay, VoteVoter):
            db.session.execute(delete(model))
        for statement in migration.backfill_statements(db.engine.dialect.name):
            db.session.execute(text(statement))
        db.session.commit()
    assert kept(app) == before
    assert before[0] and before[1]


def test_the_demand_breakdowns_from_the_rollup_equal_those_from_the_votes(
    app, people, create_idea, vote_for, create_user, add_member, monkeypatch
):
    """An admin reads every space: the rollup answers for ranges up to today; counting the
    votes (forced here) must give the same numbers."""
    space, other, ann, bob, cy, admin = people
    dan = create_user("dan", segment="education", organisation="Acme")
    for target in (space, other):
        add_member(target, dan)
    made = [create_idea(space if n % 2 else other, bob, title=f"Idea {n}") for n in range(4)]
    for n, idea in enumerate(made):
        for voter in (ann, cy, dan)[: n + 1]:
            vote_for(idea, voter)
    with app.app_context():
        # Spread the votes over the last forty days.
        for n, vote in enumerate(db.session.scalars(select(IdeaVote).order_by(IdeaVote.id))):
            vote.created_at = utcnow() - timedelta(days=(n * 7) % 40, hours=1)
        rollup.rebuild()
        db.session.commit()
    calls = []
    real = demand._from_the_votes_rollup
    monkeypatch.setattr(
        demand, "_from_the_votes_rollup", lambda scope: calls.append(scope) or real(scope)
    )
    with app.app_context():
        reader = db.session.get(User, admin.id)
        for days_back in (0, 6, 20, 45):
            for segment in ("", "enterprise", "education"):
                start = date.today() - timedelta(days=days_back)
                scope = Scope(start=start, end=date.today(), segment=segment)
                from_rollup = demand._segments_and_organisations(reader, scope)
                with monkeypatch.context() as patch:
                    patch.setattr(demand, "_votes_since", lambda _moment: True)
                    from_votes = demand._segments_and_organisations(reader, scope)
                assert from_rollup == from_votes, (days_back, segment)
        assert len(calls) == 12
        # A range that votes follow is counted from the votes.
        past = Scope(start=date.today() - timedelta(days=30), end=date.today() - timedelta(days=2))
        demand._segments_and_organisations(reader, past)
        assert len(calls) == 12
        found = demand.demand(reader, Scope(date.today() - timedelta(days=45), date.today()))
    assert ("Acme", 2, 6) in found.by_organisation  # ann and dan, across two segments
    assert found.by_segment


@pytest.mark.race
def test_votes_cast_and_taken_back_at_once_are_kept_exactly(app, people, create_idea, login):
    """One person votes on some ideas and takes votes back on others in simultaneous requests
    (on PostgreSQL these run in parallel transactions): the kept rows still equal a recount."""
    space, _other, ann, bob, _cy, _admin = people
    made = [create_idea(space, bob, title=f"Idea {n}") for n in range(4)]
    clients = clients_for(app, login, ann, len(made))
    for round_ in range(3):
        voting = round_ % 2 == 0
        calls = [
            lambda c=c, i=i, v=(voting if n % 2 else not voting): c.submit(
                f"/ideas/{i.id}/vote", {"vote": "1" if v else "0"}, headers=JSON
            )
            for n, (c, i) in enumerate(zip(clients, made, strict=True))
        ]
        assert all(code == 200 for code in at_once(*calls))
        assert_same_as_recount(app)
