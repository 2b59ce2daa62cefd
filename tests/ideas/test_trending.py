"""Trending: the value kept on each idea follows votes, replies and merges exactly as a count
from scratch would, on SQLite and PostgreSQL, and lists sort by it everywhere."""

from __future__ import annotations

import importlib.util
import math
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from community.accounts.models import User
from community.analytics.dashboard.demand import demand
from community.analytics.dashboard.scope import Scope
from community.analytics.explorer import IdeaFilters, explore
from community.database import _ensure_math_functions, utcnow
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas import curation, queries, trending
from community.ideas import operations as ideas
from community.ideas.models import Idea, IdeaVote
from community.spaces.models import Space
from tests.fixtures.app import act
from tests.fixtures.ideas import same_trend
from tests.fixtures.postgres import app_on

MIGRATION = "7b3e9d41c2a8_kept_trending_value.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """Adding to the kept value is SQL arithmetic on each database: check both."""
    with app_on(request.param, tmp_path, "cocreate_trending") as app:
        yield app


def kept(app) -> dict[int, float]:
    with app.app_context():
        return dict(db.session.execute(select(Idea.id, Idea.trend)).all())


def assert_same_as_recount(app) -> dict[int, float]:
    before = kept(app)
    with app.app_context():
        trending.recount_all()
        db.session.commit()
    after = kept(app)
    assert before.keys() == after.keys()
    for idea_id, value in before.items():
        assert value == same_trend(after[idea_id]), idea_id
    return after


def test_the_score_halves_every_week_and_adds_up():
    now = utcnow()
    week_ago = now - timedelta(days=7)
    assert trending.key([(week_ago, 2.0)]) == pytest.approx(trending.key([(now, 1.0)]))
    assert trending.key([(now, 1.0), (now, 1.0)]) == pytest.approx(trending.key([(now, 2.0)]))
    # The kept value is a moment: one more event never lowers it, and older ones weigh less.
    one = trending.key([(now, trending.PROPOSAL)])
    assert trending.proposed(now) == pytest.approx(one)
    assert trending.key([(now, trending.PROPOSAL), (week_ago, trending.VOTE)]) > one
    assert trending.key([(now, trending.PROPOSAL), (week_ago, trending.VOTE)]) < trending.key(
        [(now, trending.PROPOSAL), (now, trending.VOTE)]
    )
    # Years of history do not overflow.
    assert math.isfinite(trending.key([(now - timedelta(days=3650), 1.0), (now, 1.0)]))


def test_the_kept_value_follows_votes_replies_and_merges(
    app, create_space, create_user, add_member, create_idea, vote_for, create_reply, space_owner
):
    space = create_space("Imaging")
    ann, bob, cy = create_user("ann"), create_user("bob"), create_user("cy")
    for person in (ann, bob, cy):
        add_member(space, person)
    idea = create_idea(space, ann, title="Dark mode")
    other = create_idea(space, bob, title="Dark theme")
    proposed = kept(app)[idea.id]
    assert proposed == pytest.approx(trending.proposed(idea.created_at))

    vote_for(idea, bob)
    vote_for(idea, cy)
    voted = assert_same_as_recount(app)[idea.id]
    assert voted > proposed

    reply = create_reply(Thread(id=idea.thread_id), bob)
    replied = assert_same_as_recount(app)[idea.id]
    assert replied > voted
    act(app, forums.delete_post, Post(id=reply.id), by=space_owner)
    assert assert_same_as_recount(app)[idea.id] == pytest.approx(voted)
    act(app, forums.restore_post, Post(id=reply.id), by=space_owner)
    assert assert_same_as_recount(app)[idea.id] == pytest.approx(replied)

    act(app, ideas.retract_vote, idea, User(id=cy.id))
    assert kept(app)[idea.id] < replied
    assert_same_as_recount(app)

    # A merge gives the other idea the votes, with their dates; an unmerge takes them back.
    before = kept(app)[other.id]
    act(app, curation.merge_idea, idea, other.id, response="Same request.", by=space_owner)
    assert assert_same_as_recount(app)[other.id] > before
    act(app, curation.unmerge_idea, idea, by=space_owner)
    assert assert_same_as_recount(app)[other.id] == pytest.approx(before)


def _backdate(app, idea: Idea, proposed_days_ago: int, votes_days_ago: int) -> None:
    with app.app_context():
        now = utcnow()
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(created_at=now - timedelta(days=proposed_days_ago))
        )
        db.session.execute(
            update(IdeaVote)
            .where(IdeaVote.idea_id == idea.id)
            .values(created_at=now - timedelta(days=votes_days_ago))
        )
        trending.recount([idea.id])
        db.session.commit()


def test_a_new_idea_is_counted_at_the_moment_it_is_created(
    app, create_space, create_user, add_member, create_idea, monkeypatch
):
    """Its value and its ``created_at`` come from one reading of the clock, however slow the
    machine: here the clock jumps an hour between any two readings."""
    space = create_space("Imaging")
    ann = create_user("ann")
    add_member(space, ann)
    clock = iter(utcnow() + timedelta(hours=n) for n in range(1000))
    monkeypatch.setattr(trending, "utcnow", lambda: next(clock))
    monkeypatch.setattr(ideas, "utcnow", lambda: next(clock))
    idea = create_idea(space, ann, title="Dark mode")
    assert kept(app)[idea.id] == trending.proposed(idea.created_at)
    assert_same_as_recount(app)


def test_lists_sort_by_recent_support(
    app, create_space, create_user, add_member, create_idea, vote_for, space_owner
):
    """An old idea with many old votes falls below one with a few votes today and below a new
    idea; the space's list, the list of all spaces, the explorer (and so the API) and the
    dashboard agree."""
    space = create_space("Imaging")
    voters = [create_user() for _ in range(5)]
    for person in voters:
        add_member(space, person)
    faded = create_idea(space, voters[0], title="Faded")
    rising = create_idea(space, voters[0], title="Rising")
    for person in voters:
        vote_for(faded, person)
    for person in voters[:2]:
        vote_for(rising, person)
    _backdate(app, faded, proposed_days_ago=60, votes_days_ago=30)
    _backdate(app, rising, proposed_days_ago=60, votes_days_ago=0)
    fresh = create_idea(space, voters[1], title="Fresh")
    expected = [rising.id, fresh.id, faded.id]
    with app.test_request_context():
        owner = db.session.get(User, space_owner.id)
        in_space = queries.ideas_page(owner, space=db.session.get(Space, space.id))
        assert [i.id for i in in_space.items] == expected
        assert [i.id for i in queries.ideas_page(owner).items] == expected
        explored = explore(owner, IdeaFilters(sort="trending"))
        assert [i.id for i in explored.items] == expected
        today = utcnow().date()
        found = demand(owner, Scope(today - timedelta(days=90), today))
        assert [row[0] for row in found.top_trending] == expected


def test_migration_counts_the_same_values(
    app, create_space, create_user, add_member, create_idea, vote_for, create_reply
):
    space = create_space("Imaging")
    ann, bob = create_user("ann"), create_user("bob")
    add_member(space, ann)
    add_member(space, bob)
    idea = create_idea(space, ann)
    create_idea(space, bob)
    vote_for(idea, bob)
    create_reply(Thread(id=idea.thread_id), bob)
    _backdate(app, idea, proposed_days_ago=20, votes_days_ago=3)
    expected = kept(app)
    path = Path(__file__).parents[2] / "migrations" / "versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("trend_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(text("UPDATE ideas SET trend = 0"))
        migration.backfill(db.session.connection())
        db.session.commit()
    for idea_id, value in kept(app).items():
        assert value == same_trend(expected[idea_id])


def test_sqlite_without_math_functions_gets_them_from_python():
    class Bare:
        """A connection whose SQLite was built without math functions."""

        def __init__(self):
            self.real = sqlite3.connect(":memory:")
            self.added = {}

        def execute(self, sql):
            if not self.added:
                raise sqlite3.OperationalError("no such function: ln")
            return self.real.execute(sql)

        def create_function(self, name, arity, function, deterministic=False):
            self.added[name] = function
            self.real.create_function(f"py_{name}", arity, function, deterministic=deterministic)

    bare = Bare()
    _ensure_math_functions(bare)
    assert set(bare.added) == {"ln", "power"}
    assert bare.real.execute("SELECT py_ln(8.0) / py_ln(2.0), py_power(2.0, 10)").fetchone() == (
        3.0,
        1024.0,
    )


def test_recount_command_repairs_votes_and_trending(
    app, create_space, create_user, add_member, create_idea
):
    space, ann = create_space("Imaging"), create_user("ann")
    add_member(space, ann)
    idea = create_idea(space, ann)
    right = kept(app)[idea.id]
    with app.app_context():
        db.session.execute(update(Idea).values(trend=0, vote_count=5))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["ideas", "recount"])
    assert result.exit_code == 0, result.output
    assert "Fixed 1 vote counts. Counted the trending value of 1 ideas." in result.output
    assert kept(app)[idea.id] == pytest.approx(right)
