"""The time in status kept on each timeline step equals a count from scratch of the timeline."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from community.analytics.sql import seconds_between
from community.database import utcnow
from community.extensions import db
from community.ideas import curation, time_in_status
from community.ideas.models import Idea, IdeaStatusChange, TimelineKind
from community.products import operations as products
from community.products.models import Product
from tests.fixtures.app import act
from tests.fixtures.postgres import app_on

DAY = timedelta(days=1)
MIGRATION = "bffae394920e_time_in_status_on_the_idea_timeline.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The seconds between two timestamps are spelt per database: check both."""
    with app_on(request.param, tmp_path, "cocreate_time_in_status") as app:
        yield app


def stored(app) -> dict[int, tuple]:
    """Each step's (seconds in status, idea proposed at)."""
    with app.app_context():
        return {
            step: (seconds, proposed)
            for step, seconds, proposed in db.session.execute(
                select(
                    IdeaStatusChange.id,
                    IdeaStatusChange.seconds_in_status,
                    IdeaStatusChange.proposed_at,
                )
            )
        }


def from_scratch(app) -> dict[int, tuple]:
    """What the funnel computed before the columns existed: each status step's time since the
    idea's previous status step, or since the proposal, and the idea's proposal (other kinds
    of step: None)."""
    with app.app_context():
        entered = func.coalesce(
            func.lag(IdeaStatusChange.created_at).over(
                partition_by=IdeaStatusChange.idea_id,
                order_by=(IdeaStatusChange.created_at, IdeaStatusChange.id),
            ),
            Idea.created_at,
        )
        spans = {
            step: (float(seconds), proposed)  # PostgreSQL's epoch is a numeric
            for step, seconds, proposed in db.session.execute(
                select(
                    IdeaStatusChange.id,
                    seconds_between(entered, IdeaStatusChange.created_at),
                    Idea.created_at,
                )
                .join(Idea, Idea.id == IdeaStatusChange.idea_id)
                .where(IdeaStatusChange.kind == TimelineKind.STATUS.value)
            )
        }
        every = db.session.scalars(select(IdeaStatusChange.id))
        return {step: spans.get(step, (None, None)) for step in every}


def assert_same(found: dict, expected: dict) -> None:
    assert found.keys() == expected.keys()
    for step, (seconds, proposed) in expected.items():
        assert found[step][1] == proposed, step
        if seconds is None:
            assert found[step][0] is None, step
        else:
            assert found[step][0] == pytest.approx(seconds, abs=0.01), step


@pytest.fixture
def timeline(app, create_space, create_user, add_member, create_idea, create_product, space_owner):
    """Ideas moved through statuses, merged and unmerged, linked to a product."""
    space = create_space("Imaging")
    author = create_user("author")
    add_member(space, author)
    product = create_product([space])
    a = create_idea(space, author, title="Dark mode")
    b = create_idea(space, author, title="Darker mode")
    c = create_idea(space, author, title="Export")
    act(app, curation.change_status, a, "under_review", response="Looking.", by=space_owner)
    act(app, curation.change_status, a, "planned", response="Next.", by=space_owner)
    act(app, products.set_idea_product, a, Product(id=product.id), by=space_owner)
    act(app, curation.change_status, b, "under_review", response="Looking.", by=space_owner)
    act(app, curation.merge_idea, b, a.id, response="Same idea.", by=space_owner)
    act(app, curation.unmerge_idea, b, by=space_owner)
    act(app, curation.change_status, c, "declined", response="Not for us.", by=space_owner)
    return {"a": a, "b": b, "c": c, "by": space_owner}


def test_the_stored_time_equals_a_count_from_the_timeline(app, timeline):
    found = stored(app)
    assert_same(found, from_scratch(app))
    assert sum(1 for s, _p in found.values() if s is not None) == 6
    assert [p for s, p in found.values() if s is None] == [None]  # the product step


def test_a_status_step_counts_the_idea_again_in_its_transaction(app, timeline):
    """The operations' signal is what keeps the stored time: an idea whose steps were dated
    back behind the operations' backs is counted again, every step of it, by its next step;
    another idea dated back keeps its stored time until it is recounted."""
    a, c = timeline["a"], timeline["c"]
    now = utcnow()
    with app.app_context():
        db.session.get(Idea, a.id).created_at = now - 10 * DAY
        db.session.get(Idea, c.id).created_at = now - 10 * DAY
        first = status_steps(a.id)[0]
        first.created_at = now - 6 * DAY
        db.session.commit()
    before = stored(app)
    act(app, curation.change_status, a, "in_progress", response="Started.", by=timeline["by"])
    with app.app_context():
        first, second, third = status_steps(a.id)
        assert first.seconds_in_status == pytest.approx(4 * 86400, abs=1)
        assert second.proposed_at == now - 10 * DAY
        assert second.seconds_in_status == pytest.approx(
            (second.created_at - first.created_at).total_seconds(), abs=1
        )
        assert third.seconds_in_status == pytest.approx(
            (third.created_at - second.created_at).total_seconds(), abs=1
        )
        (declined,) = status_steps(c.id)
        assert stored(app)[declined.id] == before[declined.id]
        assert from_scratch(app)[declined.id] != before[declined.id]
        time_in_status.recount([c.id])
        db.session.commit()
    assert_same(stored(app), from_scratch(app))


def status_steps(idea_id: int) -> list[IdeaStatusChange]:
    """The idea's status steps in order (inside an application context)."""
    return list(
        db.session.scalars(
            select(IdeaStatusChange)
            .where(
                IdeaStatusChange.idea_id == idea_id,
                IdeaStatusChange.kind == TimelineKind.STATUS.value,
            )
            .order_by(IdeaStatusChange.id)
        )
    )


def test_the_demo_counts_every_step_after_dating_them_back(demo_app):
    """``flask demo load`` dates steps back after the operations wrote them, then recounts."""
    assert_same(stored(demo_app), from_scratch(demo_app))
    assert sum(1 for s, _p in stored(demo_app).values() if s is not None) > 5


def test_flask_analytics_rebuild_counts_every_step_again(app, timeline):
    """What bulk loads that send no events (the benches) need."""
    kept = stored(app)
    with app.app_context():
        db.session.execute(
            update(IdeaStatusChange).values(seconds_in_status=None, proposed_at=None)
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert_same(stored(app), kept)


def test_the_migrations_backfill_gives_what_the_application_kept(app, timeline):
    """The migration that added the column fills it with frozen SQL: run it on the timeline
    made here and compare with what the application stored."""
    kept = stored(app)
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("time_in_status_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(
            update(IdeaStatusChange).values(seconds_in_status=None, proposed_at=None)
        )
        db.session.execute(text(migration.backfill_statement(db.engine.dialect.name)))
        db.session.commit()
    assert_same(stored(app), kept)
