"""Dashboard numbers checked against a small world computed by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.accounts.models import User
from community.analytics import rollup
from community.analytics.dashboard.demand import demand
from community.analytics.dashboard.funnel import funnel
from community.analytics.dashboard.knowledge import knowledge_loop
from community.analytics.dashboard.participation import participation
from community.analytics.dashboard.scope import Scope
from community.database import utcnow
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas import time_in_status
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
        # Dated behind the operations' backs: count the time in each status again.
        time_in_status.recount([a.id, b.id])
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
        found = funnel(owner, scope(space_id=world["public"].id))
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
        found = demand(owner, scope())
        enterprise = demand(owner, scope(segment="enterprise"))
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
        found = demand(db.session.get(User, analyst.id), scope())
    assert found.top_tags[0] == ("ui", 2)


def test_knowledge_loop(app, world, space_owner):
    with app.app_context():
        found = knowledge_loop(db.session.get(User, space_owner.id), scope())
    assert (found.questions, found.answered, found.solved) == (3, 2, 0)
    assert found.median_first_answer_hours == pytest.approx(4.0, abs=0.1)  # 2 h and 6 h
    assert found.median_first_expert_answer_hours == pytest.approx(2.0, abs=0.1)


def test_participation(app, world, space_owner):
    with app.app_context():
        found = participation(db.session.get(User, space_owner.id), scope())
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
        drafted = kb.article_from_answer(db.session.get(Thread, solved.id), by=owner)
        kb.publish_article(drafted, by=owner)
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
        found = knowledge_loop(owner, scope())
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
        everywhere = funnel(viewer, scope())
        one_space = funnel(viewer, scope(space_id=world["public"].id))
    assert everywhere.total == 4  # the private space's idea too
    assert everywhere.median_days["new"] == pytest.approx(3.0, abs=0.1)
    assert everywhere.median_days["planned"] == pytest.approx(6.0, abs=0.1)
    assert everywhere.median_days == one_space.median_days
    with app.app_context():
        # Proposed 10 days ago: out of a range of the last week, with its steps.
        last_week = Scope(start=date.today() - timedelta(days=7), end=date.today())
        recent = funnel(db.session.get(User, admin.id), last_week)
    assert recent.median_days == {"new": pytest.approx(2.0, abs=0.1)}


def test_only_replies_by_others_answer_a_question(
    app, world, space_owner, create_thread, create_reply
):
    """The asker's own replies neither answer the question nor start the clock's end."""
    asker = world["ent"][2]
    talker = create_thread(world["public"], asker, title="Talking to myself")
    own = create_reply(talker, asker, "Also, it beeps.")
    late = create_reply(talker, world["ent"][0], "Same here; a restart helps.")
    with app.app_context():
        base = utcnow() - DAY
        db.session.get(Thread, talker.id).created_at = base
        db.session.get(Post, own.id).created_at = base + timedelta(hours=1)
        db.session.get(Post, late.id).created_at = base + timedelta(hours=9)
        db.session.commit()
        owner = db.session.get(User, space_owner.id)
        found = knowledge_loop(owner, scope())
    # Q1, Q2 and the talker are answered; Q3 is not.
    assert (found.questions, found.answered, found.solved) == (4, 3, 0)
    assert (found.answered_unsolved, found.unanswered) == (3, 1)
    # First answers after 2 h, 6 h and 9 h (not the asker's 1 h).
    assert found.median_first_answer_hours == pytest.approx(6.0, abs=0.1)
    with app.app_context():
        db.session.get(Post, late.id).deleted_at = utcnow()
        db.session.get(Thread, talker.id).answer_count = 0
        db.session.commit()
        found = knowledge_loop(db.session.get(User, space_owner.id), scope())
    assert (found.questions, found.answered) == (4, 2)
    assert found.median_first_answer_hours == pytest.approx(4.0, abs=0.1)


def test_a_question_the_asker_solved_is_neither_answered_nor_unanswered(
    app, world, space_owner, create_thread, create_reply
):
    from community.forums import operations as forums

    asker = world["ent"][2]
    thread = create_thread(world["public"], asker, title="Loose cable")
    fix = create_reply(thread, asker, "Found it: the cable was loose.")
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, fix.id), by=db.session.get(User, asker.id))
        db.session.commit()
        found = knowledge_loop(db.session.get(User, space_owner.id), scope())
    assert (found.questions, found.answered, found.solved) == (4, 2, 1)
    assert (found.answered_unsolved, found.unanswered) == (2, 1)


def test_the_knowledge_loop_honours_the_segment(
    app,
    world,
    space_owner,
    create_user,
    add_member,
    create_thread,
    create_reply,
    create_article,
    solved_question,
):
    from community.knowledge import operations as kb
    from community.knowledge.models import Article
    from community.spaces.models import Space

    public = world["public"]
    teacher = create_user("teacher2", segment="education")
    add_member(public, teacher)
    create_thread(public, teacher, title="Q from a school")
    solved = solved_question(public, teacher, space_owner, title="Solved for a school")
    guide = create_article(public, space_owner, title="Calibrating")
    with app.test_request_context():
        owner = db.session.get(User, space_owner.id)
        kb.publish_article(
            kb.article_from_answer(db.session.get(Thread, solved.id), by=owner), by=owner
        )
        kb.rate_article(
            db.session.get(Article, guide.id), by=db.session.get(User, teacher.id), helpful=True
        )
        kb.record_answered(
            db.session.get(Space, public.id),
            by=db.session.get(User, teacher.id),
            title="How to calibrate?",
            article=db.session.get(Article, guide.id),
        )
        db.session.commit()
        everyone = knowledge_loop(owner, scope())
        schools = knowledge_loop(owner, scope(segment="education"))
        firms = knowledge_loop(owner, scope(segment="enterprise"))
    assert (everyone.questions, everyone.answered, everyone.solved) == (5, 3, 1)
    assert (schools.questions, schools.answered, schools.solved) == (2, 1, 1)
    assert (firms.questions, firms.answered, firms.solved) == (3, 2, 0)
    assert (everyone.deflected, schools.deflected, firms.deflected) == (1, 1, 0)
    assert (schools.articles_from_answers, firms.articles_from_answers) == (1, 0)
    assert [row[1] for row in schools.most_helpful] == ["Calibrating"]
    assert firms.most_helpful == []
    # Medians over the segment's own questions: Q1 (2 h) and Q2 (6 h) for enterprise.
    assert firms.median_first_answer_hours == pytest.approx(4.0, abs=0.1)


def test_product_filter_counts_the_spaces_that_own_the_product(
    app, world, space_owner, create_space, create_user, add_member, create_thread, create_product
):
    """Questions and contributions belong to spaces: a product's are its spaces'."""
    other = create_space("Ultrasound")
    sonographer = create_user("sono", segment="enterprise")
    add_member(other, sonographer)
    create_thread(other, sonographer, title="Probe question")
    imaging = create_product([world["public"]], name="Imaging suite")
    probes = create_product([other], name="Probes")
    with app.app_context():
        owner = db.session.get(User, space_owner.id)
        every = knowledge_loop(owner, scope())
        for_imaging = knowledge_loop(owner, scope(product_id=imaging.id))
        for_probes = knowledge_loop(owner, scope(product_id=probes.id))
        people = participation(owner, scope(product_id=probes.id))
        all_people = participation(owner, scope())
    assert (every.questions, for_imaging.questions, for_probes.questions) == (4, 3, 1)
    assert people.by_space == [("Ultrasound", 1)]
    assert people.new + people.returning == 1
    assert {name for name, _n in all_people.by_space} == {"Imaging", "Secret", "Ultrasound"}


def test_articles_from_shipped_ideas_count_only_published_ones(
    app, world, space_owner, create_product, create_release, link_idea
):
    from community.knowledge import operations as kb
    from community.knowledge.models import Article

    product = create_product([world["public"]], name="Imaging suite")
    release = create_release(product, "2.0")
    link_idea(world["a"], space_owner, product, release)  # drafts "What's new: Dark mode"
    with app.test_request_context():
        owner = db.session.get(User, space_owner.id)
        draft = db.session.scalar(db.select(Article).where(Article.source_idea_id == world["a"].id))
        assert draft is not None and not draft.is_published
        assert knowledge_loop(owner, scope()).articles_from_ideas == 0
        kb.publish_article(draft, by=owner)
        db.session.commit()
        assert knowledge_loop(owner, scope()).articles_from_ideas == 1
        # With a segment: ideas that segment voted for (Dark mode has enterprise votes).
        assert knowledge_loop(owner, scope(segment="enterprise")).articles_from_ideas == 1
        assert knowledge_loop(owner, scope(segment="partner")).articles_from_ideas == 0


def test_the_funnel_shows_ideas_with_no_product(app, world, space_owner, create_product, link_idea):
    from community.analytics import reports

    product = create_product([world["public"]], name="Imaging suite")
    link_idea(world["a"], space_owner, product)
    with app.test_request_context():
        owner = db.session.get(User, space_owner.id)
        found = funnel(owner, scope())
        table = next(
            t for t in reports.build("funnel", owner, scope()).tables if t.key == "products"
        )
        chosen = funnel(owner, scope(product_id=product.id))
    # Four ideas: Dark mode for the product, three with none (one in the private space).
    assert found.by_product == [(None, 3, 0, 0), ("Imaging suite", 1, 1, 1)]
    assert sum(row[1] for row in found.by_product) == found.total == 4
    assert table.rows == [["No product", 3, 0, 0], ["Imaging suite", 1, 1, 1]]
    assert chosen.by_product == [("Imaging suite", 1, 1, 1)]


def test_trending_honours_the_segment(app, world, space_owner, create_user, add_member, vote_for):
    pupil = create_user("pupil", segment="education")
    add_member(world["public"], pupil)
    vote_for(world["c"], pupil)
    with app.app_context():
        owner = db.session.get(User, space_owner.id)
        everyone = demand(owner, scope())
        schools = demand(owner, scope(segment="education"))
        partners = demand(owner, scope(segment="partner"))
    # Dark mode is shipped and Export declined: Offline and the secret idea are open.
    assert {title for _i, title, _n in everyone.top_trending} == {"Offline", "Secret idea"}
    assert [title for _i, title, _n in schools.top_trending] == ["Offline"]
    assert partners.top_trending == []
