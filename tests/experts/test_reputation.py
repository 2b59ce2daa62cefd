"""Reputation: points follow the facts (accepted answers, helpful marks, ideas planned and
shipped, brainstorm notes promoted), badges at milestones, totals equal to what a recount
computes from the facts, leaderboards per space and month, and the profile's section."""

from __future__ import annotations

from datetime import timedelta

from community.accounts.models import User
from community.brainstorms import promotion
from community.brainstorms.models import BrainstormSession, Note, Phase
from community.brainstorms.notes import add_note, create_cluster, move_note
from community.database import utcnow
from community.experts import reputation
from community.experts.models import Badge, ReputationEntry
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import Idea
from community.spaces.models import Space, Visibility
from tests.fixtures.app import page_text


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _points(app, user) -> int:
    with app.app_context():
        return db.session.get(User, user.id).reputation


def _badges(app, user) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(Badge.key).where(Badge.user_id == user.id)))


def _opening(thread) -> Post:
    return db.session.scalar(
        db.select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
    )


def _recount(app) -> int:
    with app.app_context():
        fixed = reputation.recount()
        db.session.commit()
        return fixed


def test_accepted_answers_and_helpful_marks_earn_points_that_follow_the_facts(
    app, cast, create_thread, create_reply
):
    question = create_thread(cast.space, cast.asker)
    answer = create_reply(question, cast.expert)
    other = create_reply(question, cast.member)
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=_user(cast.asker.id))
        forums.mark_helpful(db.session.get(Post, answer.id), _user(cast.member.id))
        forums.mark_helpful(db.session.get(Post, answer.id), _user(cast.asker.id))
        db.session.commit()
    assert _points(app, cast.expert) == 15 + 5 + 5
    assert _badges(app, cast.expert) == {"first_accepted"}
    # Accepting another answer moves the points; unmarking takes one mark's back.
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, other.id), by=_user(cast.asker.id))
        forums.mark_helpful(db.session.get(Post, answer.id), _user(cast.member.id), False)
        db.session.commit()
    assert (_points(app, cast.expert), _points(app, cast.member)) == (5, 15)
    assert "first_accepted" in _badges(app, cast.expert)  # badges are kept once earned
    # Deleting the question takes its points; restoring it brings them back.
    with app.test_request_context():
        forums.delete_post(_opening(question), by=_user(cast.owner.id))
        db.session.commit()
    assert (_points(app, cast.expert), _points(app, cast.member)) == (0, 0)
    with app.test_request_context():
        forums.restore_post(_opening(question), by=_user(cast.owner.id))
        db.session.commit()
    assert (_points(app, cast.expert), _points(app, cast.member)) == (5, 15)
    # Deleting the accepted answer takes its acceptance, and so its points.
    with app.test_request_context():
        forums.delete_post(db.session.get(Post, other.id), by=_user(cast.owner.id))
        db.session.commit()
    assert _points(app, cast.member) == 0
    assert _recount(app) == 0


def test_ideas_earn_points_when_planned_and_shipped_and_lose_them_when_they_go_back(
    app, cast, create_idea
):
    idea = create_idea(cast.space, cast.member)
    with app.test_request_context():
        owner = _user(cast.owner.id)
        curation.change_status(db.session.get(Idea, idea.id), "planned", response="Yes", by=owner)
        db.session.commit()
    assert _points(app, cast.member) == 10
    with app.test_request_context():
        owner = _user(cast.owner.id)
        curation.change_status(db.session.get(Idea, idea.id), "shipped", response="Out", by=owner)
        db.session.commit()
    assert _points(app, cast.member) == 35
    assert {"first_planned", "first_shipped"} <= _badges(app, cast.member)
    with app.test_request_context():
        owner = _user(cast.owner.id)
        curation.change_status(
            db.session.get(Idea, idea.id), "under_review", response="Oops", by=owner
        )
        db.session.commit()
    assert _points(app, cast.member) == 0
    # A deleted idea takes its points with it.
    with app.test_request_context():
        owner = _user(cast.owner.id)
        curation.change_status(db.session.get(Idea, idea.id), "shipped", response="Out", by=owner)
        db.session.commit()
        ideas.delete_idea(db.session.get(Idea, idea.id), by=_user(cast.owner.id))
        db.session.commit()
    assert _points(app, cast.member) == 0
    assert _recount(app) == 0


def _results(app, cast, create_brainstorm, to_phase, **settings) -> tuple[int, dict]:
    session_id = create_brainstorm(cast.space, cast.expert, **settings)
    to_phase(session_id, Phase.IDEATE)
    with app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        a = add_note(session, author=_user(cast.member.id), text="Import")
        b = add_note(session, author=_user(cast.asker.id), text="Tour")
        db.session.commit()
        ids = {"a": a.id, "b": b.id}
    to_phase(session_id, Phase.GROUP)
    with app.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        cluster = create_cluster(session, by=_user(cast.expert.id), name="Setup")
        for key in ("a", "b"):
            move_note(db.session.get(Note, ids[key]), by=_user(cast.expert.id), cluster=cluster)
        db.session.commit()
        ids["cluster"] = cluster.id
    to_phase(session_id, Phase.RESULTS)
    return session_id, ids


def test_promoted_brainstorm_notes_earn_their_authors_points_unless_anonymous(
    app, cast, create_brainstorm, to_phase
):
    from community.brainstorms.models import Cluster

    session_id, ids = _results(app, cast, create_brainstorm, to_phase)
    with app.test_request_context():
        promotion.promote_to_idea(
            db.session.get(BrainstormSession, session_id),
            by=_user(cast.expert.id),
            title="Setup",
            body="Both",
            cluster=db.session.get(Cluster, ids["cluster"]),
        )
        db.session.commit()
    assert (_points(app, cast.member), _points(app, cast.asker)) == (10, 10)
    assert "first_promoted" in _badges(app, cast.asker)
    anonymous_id, anonymous_ids = _results(app, cast, create_brainstorm, to_phase, anonymous=True)
    with app.test_request_context():
        promotion.promote_to_idea(
            db.session.get(BrainstormSession, anonymous_id),
            by=_user(cast.expert.id),
            title="Import",
            body="One",
            note=db.session.get(Note, anonymous_ids["a"]),
        )
        db.session.commit()
    assert _points(app, cast.member) == 10  # nothing that would tell who wrote it
    assert _recount(app) == 0


def test_recount_rebuilds_entries_and_totals_from_the_facts(
    app, cast, create_thread, create_reply, create_idea
):
    question = create_thread(cast.space, cast.asker)
    answer = create_reply(question, cast.expert)
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=_user(cast.asker.id))
        db.session.commit()
    # Drift: a total edited by hand, an entry lost, an entry for a fact that never was.
    with app.app_context():
        db.session.execute(db.update(User).where(User.id == cast.expert.id).values(reputation=99))
        db.session.execute(db.delete(Badge))
        db.session.add(
            ReputationEntry(
                user_id=cast.member.id,
                space_id=cast.space.id,
                kind="helpful",
                source_id=999,
                points=5,
            )
        )
        db.session.commit()
    assert _recount(app) == 3  # the bogus entry, the member's total, the expert's total
    assert (_points(app, cast.expert), _points(app, cast.member)) == (15, 0)
    assert _badges(app, cast.expert) == {"first_accepted"}
    assert _recount(app) == 0
    result = app.test_cli_runner().invoke(args=["reputation", "recount"])
    assert result.stdout.startswith("Fixed 0 reputation entries and totals. (")


def test_leaderboards_per_space_and_month(
    app, client, cast, create_space, add_member, create_thread, create_reply, login
):
    question = create_thread(cast.space, cast.asker)
    answer = create_reply(question, cast.expert)
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=_user(cast.asker.id))
        forums.mark_helpful(db.session.get(Post, answer.id), _user(cast.member.id))
        db.session.commit()
    reply = create_reply(question, cast.member)
    with app.test_request_context():
        forums.mark_helpful(db.session.get(Post, reply.id), _user(cast.asker.id))
        # The helpful mark on the member's reply was last month.
        db.session.execute(
            db.update(ReputationEntry)
            .where(ReputationEntry.user_id == cast.member.id)
            .values(awarded_at=utcnow().replace(day=1) - timedelta(days=3))
        )
        db.session.commit()
    page = page_text(client.get(f"/s/{cast.space.slug}/leaderboard"))
    assert page.index(cast.expert.display_name) < page.index(cast.member.display_name)
    assert "20" in page
    this_month = utcnow().strftime("%Y-%m")
    month_page = page_text(client.get(f"/s/{cast.space.slug}/leaderboard?month={this_month}"))
    assert cast.expert.display_name in month_page
    assert cast.member.display_name not in month_page
    # A private space's leaderboard is for those who may read it.
    private = create_space("Secret Lab", visibility=Visibility.PRIVATE)
    assert client.get(f"/s/{private.slug}/leaderboard").status_code == 404
    login(client, cast.outsider)
    assert client.get(f"/s/{private.slug}/leaderboard").status_code == 404
    # A month that does not exist is refused, with what was wrong; none is all time.
    for bad in ("2026-13", "9999-12", "2026-1", "%00"):
        assert client.get(f"/leaderboard?month={bad}").status_code == 400, bad
    assert "month: Enter a month as YYYY-MM." in page_text(client.get("/leaderboard?month=x"))
    assert client.get("/leaderboard?month=").status_code == 200


def test_the_profile_shows_points_badges_and_what_they_were_for(
    app, client, cast, create_thread, create_reply
):
    question = create_thread(cast.space, cast.asker)
    answer = create_reply(question, cast.expert)
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=_user(cast.asker.id))
        db.session.commit()
    text = page_text(client.get(f"/u/{cast.expert.username}"))
    assert "Reputation 15 points" in text
    assert "First accepted answer" in text
    assert "Accepted answers (1) 15 points" in text


def test_leaderboard_queries_do_not_grow_with_the_people_on_it(
    app, client, cast, create_user, add_member, create_thread, create_reply, count_queries
):
    def award(count: int) -> None:
        question = create_thread(cast.space, cast.asker)
        with app.test_request_context():
            for n in range(count):
                person = create_user(f"helper{count}x{n}")
                add_member(cast.space, person)
                post = forums.reply_to_thread(
                    db.session.get(Thread, question.id), author=_user(person.id), body="Try this"
                )
                db.session.flush()
                forums.mark_helpful(post, _user(cast.asker.id))
            db.session.commit()

    award(3)
    with count_queries() as few:
        assert client.get("/leaderboard").status_code == 200
    award(30)
    with count_queries() as many:
        assert client.get("/leaderboard").status_code == 200
    assert len(many) == len(few)


def test_points_in_a_moved_question_count_in_its_new_space(
    app, cast, create_space, create_thread, create_reply
):
    other = create_space("Other Space")
    question = create_thread(cast.space, cast.asker)
    answer = create_reply(question, cast.expert)
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=_user(cast.asker.id))
        forums.move_thread(
            db.session.get(Thread, question.id),
            db.session.get(Space, other.id),
            by=_user(cast.owner.id),
            reason="Belongs there",
        )
        db.session.commit()
        spaces = set(db.session.scalars(db.select(ReputationEntry.space_id)))
    assert spaces == {other.id}
