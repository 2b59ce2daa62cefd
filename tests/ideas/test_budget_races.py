"""Vote budgets and merges under simultaneous requests, on SQLite and, when
``TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL database (where row and advisory locks
do the work that SQLite's single writer does)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import create_app
from community.config import TestingConfig
from community.extensions import db
from community.ideas import operations
from community.ideas.models import Idea, IdeaVote
from tests.fixtures.app import Client, at_once, make_app
from tests.fixtures.postgres import fresh_postgres_database

JSON = {"Accept": "application/json"}
ROUNDS = 3

pytestmark = pytest.mark.race


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The app on SQLite, or on its own PostgreSQL database (replaces the usual ``app``)."""
    if request.param == "sqlite":
        app = make_app(tmp_path)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return
    with fresh_postgres_database("cocreate_budget") as url:
        app = create_app(
            TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=str(tmp_path / "search")
        )
        app.test_client_class = Client
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def clients_for(app, login, user, count: int) -> list[Client]:
    """``count`` clients signed in as ``user`` (one sign-in: they are rate limited)."""
    first = app.test_client()
    login(first, user)
    clients = [first]
    for _ in range(count - 1):
        other = app.test_client()
        other.set_cookie("session", first.get_cookie("session").value)
        clients.append(other)
    return clients


def merging(client, source, target):
    """A request merging ``source`` into ``target``, to run later."""
    return lambda: client.submit(
        f"/ideas/{source.id}/merge", {"merge_into": str(target.id), "merge_response": "Dup."}
    )


def active_in(app, user, space) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(IdeaVote.id))
            .join(Idea, Idea.id == IdeaVote.idea_id)
            .where(
                IdeaVote.user_id == user.id,
                Idea.space_id == space.id,
                Idea.status.not_in(["shipped", "declined", "merged"]),
            )
        )


def counts_are_exact(app) -> bool:
    with app.app_context():
        fixed = operations.recount_votes()
        db.session.rollback()
        return fixed == 0


def test_simultaneous_votes_cannot_overrun_the_budget(app, cast, create_idea, login, set_budget):
    set_budget(cast.space, 2)
    ideas = [create_idea(cast.space, cast.asker) for _ in range(6)]
    clients = clients_for(app, login, cast.member, len(ideas))
    for _ in range(ROUNDS):
        codes = at_once(
            *(
                lambda c=c, i=i: c.submit(f"/ideas/{i.id}/vote", {"vote": "1"}, headers=JSON)
                for c, i in zip(clients, ideas, strict=True)
            )
        )
        assert sorted(codes) == [200, 200, 400, 400, 400, 400]
        assert active_in(app, cast.member, cast.space) == 2
        at_once(
            *(
                lambda c=c, i=i: c.submit(f"/ideas/{i.id}/vote", {"vote": "0"}, headers=JSON)
                for c, i in zip(clients, ideas, strict=True)
            )
        )
        assert active_in(app, cast.member, cast.space) == 0
    assert counts_are_exact(app)


def test_a_merge_and_a_vote_at_once_stay_within_the_budget(
    app, cast, create_space, create_idea, create_user, login, set_budget, vote_for
):
    roadmap = create_space("Roadmap")
    set_budget(roadmap, 1)
    voter = create_user("voter")
    moderator = clients_for(app, login, cast.owner, 1)[0]
    (voting,) = clients_for(app, login, voter, 1)
    for _ in range(ROUNDS):
        duplicate = create_idea(cast.space, cast.asker)
        original, other = create_idea(roadmap, cast.owner), create_idea(roadmap, cast.owner)
        vote_for(duplicate, voter)
        merge_code, vote_code = at_once(
            merging(moderator, duplicate, original),
            lambda o=other: voting.submit(f"/ideas/{o.id}/vote", {"vote": "1"}, headers=JSON),
        )
        assert merge_code == 302 and vote_code in (200, 400)
        # The voter's one vote in "Roadmap" went either to the merged-into idea or the other.
        assert active_in(app, voter, roadmap) == 1
        voting.submit(f"/ideas/{other.id}/vote", {"vote": "0"}, headers=JSON)
        voting.submit(f"/ideas/{original.id}/vote", {"vote": "0"}, headers=JSON)
    assert counts_are_exact(app)


def test_opposite_merges_at_once_make_no_cycle(app, cast, create_idea, login, vote_for):
    expert = clients_for(app, login, cast.expert, 2)
    for _ in range(ROUNDS):
        a, b = create_idea(cast.space, cast.asker), create_idea(cast.space, cast.member)
        vote_for(a, cast.member)
        vote_for(b, cast.asker)
        codes = at_once(merging(expert[0], a, b), merging(expert[1], b, a))
        assert sorted(codes) == [302, 400]
        with app.app_context():
            merged = db.session.scalars(
                select(Idea.id).where(Idea.id.in_([a.id, b.id]), Idea.status == "merged")
            ).all()
        assert len(merged) == 1
    assert counts_are_exact(app)
