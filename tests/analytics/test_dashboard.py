"""Dashboard numbers checked against a small world computed by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.accounts.models import User
from community.analytics import dashboard, rollup
from community.analytics.dashboard import Scope
from community.database import utcnow
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea, IdeaStatusChange
from community.permissions import Role
from tests.fixtures.postgres import app_on

DAY = timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The dashboard's SQL differs per database (dates, medians): check both."""
    with app_on(request.param, tmp_path, "cocreate_dashboard") as app:
        yield app


@pytest.fixture
def world(
    app,
    create_space,
    create_user,
    add_member,
    create_idea,
    vote_for,
    create_thread,
    create_reply,
    set_status,
    space_owner,
):
    """Two spaces (one private), ideas through the pipeline at known times, votes from known
    segments and organisations, questions answered at known delays."""
    public = create_space("Imaging")
    private = create_space("Secret", visibility="private")
    ent = [create_user(f"e{n}", segment="enterprise", organisation="Acme") for n in range(3)]
    edu = create_user("teacher", segment="education", organisation="District 9")
    expert = create_user("expert")
    for person in [*ent, edu, expert]:
        add_member(public, person)
    a = create_idea(public, ent[0], title="Dark mode", tags="ui")
    b = create_idea(public, ent[1], title="Export", tags="export, ui")
    c = create_idea(public, edu, title="Offline", tags="offline")
    create_idea(private, space_owner, title="Secret idea", tags="ui")
    for voter in ent:
        vote_for(a, voter)
    vote_for(a, edu)
    vote_for(b, edu)
    set_status(a, "planned", space_owner)
    set_status(a, "shipped", space_owner)
    set_status(b, "declined", space_owner)
    now = utcnow()
    with app.app_context():
        # Timeline: a proposed 10 days ago, planned after 4 days, shipped 6 days later.
        db.session.get(Idea, a.id).created_at = now - 10 * DAY
        changes = db.session.scalars(
            db.select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == a.id)
            .order_by(IdeaStatusChange.id)
        ).all()
        changes[0].created_at = now - 6 * DAY
        changes[1].created_at = now
        db.session.get(Idea, b.id).created_at = now - 2 * DAY
        db.session.commit()
    q1 = create_thread(public, ent[0], title="Q1")
    q2 = create_thread(public, ent[1], title="Q2")
    create_thread(public, ent[2], title="Q3 unanswered")
    r1 = create_reply(q1, expert)
    r2 = create_reply(q2, ent[0])
    with app.app_context():
        base = utcnow() - DAY
        for thread in (q1, q2):
            db.session.get(Thread, thread.id).created_at = base
        db.session.get(Post, r1.id).created_at = base + timedelta(hours=2)
        db.session.get(Post, r2.id).created_at = base + timedelta(hours=6)
        db.session.get(User, expert.id).role = "expert"
        # The posts were moved back in time behind the operations' backs: recount the rollup.
        rollup.rebuild()
        db.session.commit()
    return {"public": public, "private": private, "a": a, "b": b, "c": c, "ent": ent}


def scope(**kwargs) -> Scope:
    today = date.today()
    return Scope(start=today - timedelta(days=30), end=today, **kwargs)


def test_funnel(app, world, space_owner):
    with app.app_context():
        owner = db.session.get(User, space_owner.id)
        found = dashboard.funnel(owner, scope(space_id=world["public"].id))
    assert found.total == 3
    assert found.by_status["shipped"] == 1
    assert found.by_status["declined"] == 1
    assert found.by_status["new"] == 1
    assert (found.reached_planned, found.shipped) == (1, 1)
    # "new": a for 4 days and b for 2 days → median 3; "planned": a for 6 days.
    assert found.median_days["new"] == pytest.approx(3.0, abs=0.1)
    assert found.median_days["planned"] == pytest.approx(6.0, abs=0.1)
    assert found.by_space == [("Imaging", 3, 1, 1)]


def test_demand(app, world, space_owner):
    with app.app_context():
        owner = db.session.get(User, space_owner.id)
        found = dashboard.demand(owner, scope())
        enterprise = dashboard.demand(owner, scope(segment="enterprise"))
    assert found.top_by_votes[0][1:] == ("Dark mode", 4)
    assert ("enterprise", 3, 3, 1) in found.by_segment  # Acme counted once
    assert ("education", 2, 1, 1) in found.by_segment
    assert found.by_organisation[0] == ("Acme", 3, 3)
    assert found.top_tags[0] == ("ui", 3)  # dark, export and the secret idea (owner reads it)
    assert enterprise.top_by_votes == [(world["a"].id, "Dark mode", 3)]
    assert found.direct == 4 and found.from_brainstorms == 0


def test_private_spaces_are_not_counted_for_outsiders(app, world, create_user):
    analyst = create_user("ana", role=Role.ANALYST)
    with app.app_context():
        found = dashboard.demand(db.session.get(User, analyst.id), scope())
    assert found.top_tags[0] == ("ui", 2)


def test_knowledge_loop(app, world, space_owner):
    with app.app_context():
        found = dashboard.knowledge_loop(db.session.get(User, space_owner.id), scope())
    assert (found.questions, found.answered, found.solved) == (3, 2, 0)
    assert found.median_first_answer_hours == pytest.approx(4.0, abs=0.1)  # 2 h and 6 h
    assert found.median_first_expert_answer_hours == pytest.approx(2.0, abs=0.1)


def test_participation(app, world, space_owner):
    with app.app_context():
        found = dashboard.participation(db.session.get(User, space_owner.id), scope())
    assert sum(n for _w, n in found.weekly_active) >= 5
    assert found.by_space[0] == ("Imaging", 5)
    assert found.new == 6 and found.returning == 0


def test_knowledge_base_in_the_loop(
    app, world, space_owner, create_article, solved_question, create_user, add_member
):
    from community.knowledge import operations as kb
    from community.knowledge.models import Article
    from community.spaces.models import Space as SpaceModel

    public = world["public"]
    readers = [create_user(f"reader{n}") for n in range(3)]
    for reader in readers:
        add_member(public, reader)
    guide = create_article(public, space_owner, title="Calibrating the detector")
    other = create_article(public, space_owner, title="Exporting studies")
    solved = solved_question(public, world["ent"][0], space_owner, title="Drift after update")
    with app.test_request_context():
        owner = db.session.get(User, space_owner.id)
        kb.article_from_answer(db.session.get(Thread, solved.id), by=owner)
        space = db.session.get(SpaceModel, public.id)
        for reader, helpful in zip(readers, (True, True, False), strict=True):
            person = db.session.get(User, reader.id)
            kb.rate_article(db.session.get(Article, guide.id), by=person, helpful=helpful)
        kb.rate_article(db.session.get(Article, other.id), by=person, helpful=True)
        kb.record_answered(
            space,
            by=db.session.get(User, readers[0].id),
            title="How to calibrate?",
            article=db.session.get(Article, guide.id),
        )
        db.session.commit()
        found = dashboard.knowledge_loop(owner, scope())
    assert found.deflected == 1 and found.asked_despite == 0
    # Four questions were posted (Q1, Q2, Q3 and the solved one) and one was not.
    assert found.questions == 4
    assert found.deflected_share == pytest.approx(1 / 5)
    assert (found.articles_from_answers, found.articles_from_ideas) == (1, 0)
    assert found.most_helpful[0][1:] == ("Calibrating the detector", 2, 3)
    assert found.most_helpful[1][1:] == ("Exporting studies", 1, 1)


def test_funnel_for_someone_who_reads_every_space(app, world, create_user):
    """With no space chosen, an admin's medians are read from the steps' own index (the
    range on their copy of the proposal date): the same numbers as with a space chosen."""
    admin = create_user("siteadmin", role=Role.ADMIN)
    with app.app_context():
        viewer = db.session.get(User, admin.id)
        everywhere = dashboard.funnel(viewer, scope())
        one_space = dashboard.funnel(viewer, scope(space_id=world["public"].id))
    assert everywhere.total == 4  # the private space's idea too
    assert everywhere.median_days["new"] == pytest.approx(3.0, abs=0.1)
    assert everywhere.median_days["planned"] == pytest.approx(6.0, abs=0.1)
    assert everywhere.median_days == one_space.median_days
    with app.app_context():
        # Proposed 10 days ago: out of a range of the last week, with its steps.
        last_week = Scope(start=date.today() - timedelta(days=7), end=date.today())
        recent = dashboard.funnel(db.session.get(User, admin.id), last_week)
    assert recent.median_days == {"new": pytest.approx(2.0, abs=0.1)}
