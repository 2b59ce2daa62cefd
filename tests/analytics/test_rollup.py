"""The participation rollup follows posts and votes through the operations, agrees with a
recount from scratch, and the dashboard reads a bounded number of queries whatever the data."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from community.accounts.models import User
from community.analytics import rollup
from community.analytics.dashboard.demand import demand
from community.analytics.dashboard.funnel import funnel
from community.analytics.dashboard.knowledge import knowledge_loop
from community.analytics.dashboard.participation import participation
from community.analytics.dashboard.scope import Scope
from community.analytics.models import ActivityDay, ActivityWeek, ActivityWeekPeople
from community.database import utcnow
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import Idea
from community.permissions import Role
from community.spaces.models import Space
from tests.fixtures.app import act
from tests.fixtures.postgres import app_on


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The rollup's upserts are spelt per database: check both."""
    with app_on(request.param, tmp_path, "cocreate_rollup") as app:
        yield app


def rows(app) -> set[tuple]:
    with app.app_context():
        return {
            (r.space_id, r.user_id, r.day, r.segment, r.week, r.posts, r.votes)
            for r in db.session.scalars(select(ActivityDay))
        }


def weeks(app) -> tuple[set[tuple], dict]:
    """The rows per person and week, and the people counted per week (zeros left out)."""
    with app.app_context():
        return (
            {
                (r.week, r.user_id, r.contributions)
                for r in db.session.scalars(select(ActivityWeek))
            },
            {r.week: r.people for r in db.session.scalars(select(ActivityWeekPeople)) if r.people},
        )


def assert_same_as_recount(app) -> None:
    """What the receivers kept equals what the backfill counts from posts and votes."""
    kept = rows(app), weeks(app)
    with app.app_context():
        rollup.rebuild()
        db.session.commit()
    assert (rows(app), weeks(app)) == kept


MIGRATION = "0f66b4a699e0_insights_rollup_of_activity_and_indexes_.py"
TODAY = utcnow().date()
WEEK = TODAY - timedelta(days=TODAY.weekday())


@pytest.fixture
def people(create_space, create_user, add_member, space_owner):
    space = create_space("Imaging")
    other = create_space("Dosimetry")
    ann = create_user("ann", segment="enterprise", organisation="Acme")
    bob = create_user("bob", segment="education")
    for person in (ann, bob):
        add_member(space, person)
        add_member(other, person)
    return space, other, ann, bob


def test_posts_count_until_deleted_and_again_when_restored(
    app, people, create_thread, create_reply, space_owner
):
    space, _other, ann, bob = people
    thread = create_thread(space, ann)
    create_reply(thread, ann)
    reply = create_reply(thread, bob)
    assert rows(app) == {
        (space.id, ann.id, TODAY, "", WEEK, 2, 0),
        (space.id, bob.id, TODAY, "", WEEK, 1, 0),
    }
    act(app, forums.delete_post, Post(id=reply.id), by=space_owner)
    assert rows(app) == {(space.id, ann.id, TODAY, "", WEEK, 2, 0)}
    act(app, forums.restore_post, Post(id=reply.id), by=space_owner)
    assert (space.id, bob.id, TODAY, "", WEEK, 1, 0) in rows(app)
    # Deleting the thread leaves its posts live: participation never looked at the thread.
    with app.app_context():
        opening = db.session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        )
    act(app, forums.delete_post, opening, by=space_owner)
    assert (space.id, ann.id, TODAY, "", WEEK, 2, 0) in rows(app)
    assert_same_as_recount(app)


def test_votes_count_with_their_segment_until_taken_back(app, people, create_idea, vote_for):
    space, _other, ann, bob = people
    idea = create_idea(space, bob)
    vote_for(idea, ann)
    assert rows(app) == {
        (space.id, bob.id, TODAY, "", WEEK, 1, 0),  # the idea's opening post
        (space.id, ann.id, TODAY, "enterprise", WEEK, 0, 1),
    }
    with app.test_request_context():
        assert ideas.retract_vote(db.session.get(Idea, idea.id), db.session.get(User, ann.id))
        db.session.commit()
    assert rows(app) == {(space.id, bob.id, TODAY, "", WEEK, 1, 0)}
    assert_same_as_recount(app)


def test_a_moved_thread_counts_in_its_new_space(
    app, people, create_thread, create_reply, space_owner
):
    space, other, ann, bob = people
    thread = create_thread(space, ann)
    create_reply(thread, bob)
    act(
        app, forums.move_thread, Thread(id=thread.id), Space(id=other.id), by=space_owner,
        reason="Belongs there",
    )  # fmt: skip
    assert rows(app) == {
        (other.id, ann.id, TODAY, "", WEEK, 1, 0),
        (other.id, bob.id, TODAY, "", WEEK, 1, 0),
    }
    assert_same_as_recount(app)


def test_merge_unmerge_and_delete_recount_the_voters(
    app, people, create_idea, vote_for, space_owner
):
    space, other, ann, bob = people
    duplicate = create_idea(space, bob, title="Dark mode")
    original = create_idea(other, bob, title="Dark theme")
    vote_for(duplicate, ann)
    act(app, curation.merge_idea, duplicate, original.id, response="Same request.", by=space_owner)
    assert (other.id, ann.id, TODAY, "enterprise", WEEK, 0, 1) in rows(app)
    assert_same_as_recount(app)
    act(app, curation.unmerge_idea, duplicate, by=space_owner)
    assert not {r for r in rows(app) if r[0] == other.id and r[1] == ann.id}
    assert_same_as_recount(app)
    act(app, ideas.delete_idea, duplicate, by=space_owner)
    assert not {r for r in rows(app) if r[1] == ann.id}
    assert_same_as_recount(app)


def test_the_dashboard_reads_a_bounded_number_of_queries(
    app, people, create_idea, create_thread, create_reply, vote_for, count_queries, space_owner
):
    space, other, ann, bob = people
    scope = Scope(start=date.today() - timedelta(days=30), end=date.today())

    def run() -> int:
        with app.app_context(), count_queries() as queries:
            owner = db.session.get(User, space_owner.id)
            for view in (
                funnel,
                demand,
                knowledge_loop,
                participation,
            ):
                view(owner, scope)
                view(owner, Scope(scope.start, scope.end, segment="enterprise"))
        return len(queries)

    idea = create_idea(space, bob)
    vote_for(idea, ann)
    create_reply(create_thread(space, ann), bob)
    few = run()
    for n in range(6):
        more = create_idea(other if n % 2 else space, ann if n % 2 else bob)
        vote_for(more, bob if n % 2 else ann)
        create_reply(create_thread(other, bob), ann)
    assert run() == few


def test_weekly_active_people_from_whole_weeks_match_the_daily_rows(
    app, people, create_thread, create_reply, create_user
):
    """An admin's weeks wholly in the range come from ActivityWeek; an analyst who reads the
    same spaces gets every week from ActivityDay: the numbers agree."""
    space, other, ann, bob = people
    thread = create_thread(space, ann)
    replies = [create_reply(thread, bob if n % 2 else ann) for n in range(12)]
    with app.app_context():
        for n, reply in enumerate(replies):
            db.session.get(Post, reply.id).created_at = utcnow() - timedelta(days=3 * n)
        rollup.rebuild()
        db.session.commit()
    admin = create_user("root", role=Role.ADMIN)
    analyst = create_user("ana", role=Role.ANALYST)
    scope = Scope(start=date.today() - timedelta(days=30), end=date.today() - timedelta(days=1))
    with app.app_context():
        fast = participation(db.session.get(User, admin.id), scope)
        slow = participation(db.session.get(User, analyst.id), scope)
    assert fast.weekly_active == slow.weekly_active
    assert len(fast.weekly_active) >= 4
    assert fast.weekly_active[-2][1] == 2  # a whole week in which both replied


def test_the_migrations_backfill_counts_what_the_receivers_kept(
    app, people, create_idea, create_thread, create_reply, vote_for, space_owner
):
    """The migration that created the rollup fills it with frozen SQL: run it on the posts
    and votes made here and compare with what the receivers counted."""
    space, other, ann, bob = people
    idea = create_idea(space, bob)
    vote_for(idea, ann)
    thread = create_thread(other, ann)
    create_reply(thread, bob)
    gone = create_reply(thread, ann)
    act(app, forums.delete_post, Post(id=gone.id), by=space_owner)
    kept = rows(app), weeks(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("rollup_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        for model in (ActivityDay, ActivityWeek, ActivityWeekPeople):
            db.session.execute(delete(model))
        for statement in migration.backfill_statements(db.engine.dialect.name):
            db.session.execute(text(statement))
        db.session.commit()
    assert (rows(app), weeks(app)) == kept


def test_flask_analytics_rebuild_recounts_everything(app, people, create_thread):
    space, _other, ann, _bob = people
    create_thread(space, ann)
    with app.app_context():
        db.session.execute(delete(ActivityDay))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Counted 1 rows" in result.output
    assert rows(app) == {(space.id, ann.id, TODAY, "", WEEK, 1, 0)}
