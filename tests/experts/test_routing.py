"""Questions routed to experts: asked with "Ask an expert", unanswered after a delay, escalated
to moderators; claimed, passed on and answered; never leaking out of a private space."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community import database
from community.accounts.models import User
from community.errors import OperationError
from community.experts import routing
from community.experts.models import QuestionRouting
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Thread
from community.jobs.engine import run_now
from community.jobs.registry import periodic_jobs
from community.permissions import Role
from community.spaces.models import MembershipState, SpaceRole


@pytest.fixture
def admin(create_user):
    return create_user("ada", role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def clock(monkeypatch):
    """Move the routing clock: ``clock(hours=25)`` is 25 hours from now."""
    real = database.utcnow

    def move(**delta) -> None:
        monkeypatch.setattr(database, "utcnow", lambda: real() + timedelta(**delta))

    return move


def _switch(client, login, user) -> None:
    """Sign out, and in as ``user``."""
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(client, user)


def _run_cli(app) -> str:
    result = app.test_cli_runner().invoke(args=["experts", "route"])
    assert result.exit_code == 0, result.output
    return result.output


def _in(app, func, *args, **kwargs):
    """Call ``func`` on fresh copies of the given models in a request context; commit."""
    with app.test_request_context():
        fresh = [db.session.get(type(a), a.id) if hasattr(a, "id") else a for a in args]
        fresh_kwargs = {
            k: db.session.get(type(v), v.id) if isinstance(v, User | Thread) else v
            for k, v in kwargs.items()
        }
        result = func(*fresh, **fresh_kwargs)
        db.session.commit()
        return result


def test_ask_an_expert_reaches_matching_verified_experts_and_the_space_experts(
    client, cast, admin, expert, create_user, declare, verify, add_member, login, routed_to
):
    ct = expert("ctpro", "ct", by=admin)  # verified site-wide, not a member: may read
    expert("mripro", "mri", by=admin)  # another topic
    declared = create_user("wannabe")
    declare(declared, "ct")  # declared, never verified
    banned = expert("banned", "ct", by=admin)
    add_member(cast.space, banned, state=MembershipState.BANNED)
    declare(cast.asker, "ct")
    verify(cast.asker, "ct", by=admin)  # an expert asking is never routed their own question
    login(client, cast.asker)

    response = client.submit(
        f"/s/{cast.space.slug}/new",
        {
            "kind": "question",
            "title": "CT detector drift",
            "body": "It drifts.",
            "tags": "ct",
            "ask_expert": "y",
        },
    )
    assert response.status_code == 302
    thread_id = int(response.location.rsplit("/", 1)[1])
    with client.application.app_context():
        thread = db.session.get(Thread, thread_id)
    assert routed_to(thread) == {ct.username: "asked", cast.expert.username: "asked"}

    page = client.get(f"/t/{thread_id}").get_data(as_text=True)
    assert 'data-testid="routing-status"' in page
    assert "Sent to 2 experts" in page

    # Without the box ticked, nothing is routed at once.
    response = client.submit(
        f"/s/{cast.space.slug}/new",
        {"kind": "question", "title": "Another one", "body": "Hm.", "tags": "ct"},
    )
    with client.application.app_context():
        other = db.session.get(Thread, int(response.location.rsplit("/", 1)[1]))
    assert routed_to(other) == {}


def test_a_private_space_question_never_reaches_outside_experts(
    app,
    client,
    cast,
    admin,
    expert,
    create_space,
    add_member,
    create_thread,
    login,
    routed_to,
):
    private = create_space("Secret Lab", visibility="private")
    insider = expert("insider", "ct", by=admin)
    outsider = expert("outsider_ct", "ct", by=admin)
    add_member(private, insider)
    add_member(private, cast.asker)
    thread = create_thread(private, cast.asker, tags="ct", ask_expert=True)
    assert routed_to(thread) == {"insider": "asked"}

    login(client, outsider)
    assert "Secret" not in client.get("/experts/questions").get_data(as_text=True)
    assert client.submit(f"/experts/questions/{thread.id}/claim").status_code == 404
    pass_url = f"/experts/questions/{thread.id}/pass"
    assert client.submit(pass_url, {"username": "insider"}).status_code == 404
    assert 'data-testid="questions-for-you"' not in client.get("/").get_data(as_text=True)

    # The insider cannot pass it to the outsider either.
    _switch(client, login, insider)
    response = client.submit(pass_url, {"username": "outsider_ct"}, follow_redirects=True)
    assert "is not a verified expert who can read this space" in response.get_data(as_text=True)
    assert routed_to(thread) == {"insider": "asked"}


def test_unanswered_questions_are_routed_after_the_delay_by_the_cli(
    app,
    cast,
    admin,
    expert,
    create_thread,
    create_reply,
    clock,
    routed_to,
):
    ct = expert("ctpro", "ct", by=admin)
    waiting = create_thread(cast.space, cast.asker, title="Waiting", tags="ct")
    self_replied = create_thread(cast.space, cast.asker, title="Bumped", tags="ct")
    create_reply(self_replied, cast.asker, "Anyone?")
    answered = create_thread(cast.space, cast.asker, title="Answered", tags="ct")
    create_reply(answered, cast.member)
    discussion = create_thread(cast.space, cast.asker, kind="discussion", tags="ct")

    clock(hours=23)
    assert "Routed 0 unanswered question(s)" in _run_cli(app)
    assert routed_to(waiting) == {}

    clock(hours=25)
    output = _run_cli(app)
    assert "Routed 2 unanswered question(s); escalated 0 question(s)." in output
    assert f"routed question {waiting.id} ('Waiting')" in output
    expected = {ct.username: "unanswered", cast.expert.username: "unanswered"}
    assert routed_to(waiting) == expected
    assert routed_to(self_replied) == expected
    assert routed_to(answered) == {}
    assert routed_to(discussion) == {}

    # Idempotent: a second run routes nothing again.
    assert "Routed 0 unanswered question(s)" in _run_cli(app)


def test_delay_is_configurable(app, cast, create_thread, clock, routed_to):
    app.config["EXPERT_ROUTING_DELAY_HOURS"] = 2
    thread = create_thread(cast.space, cast.asker, tags="ct")
    clock(hours=3)
    assert "Routed 1 unanswered question(s)" in _run_cli(app)
    assert routed_to(thread) == {cast.expert.username: "unanswered"}


def test_unclaimed_questions_escalate_to_moderators_once(
    app, cast, admin, expert, create_user, add_member, create_thread, clock, routed_to
):
    mod = create_user("mod")
    add_member(cast.space, mod, role=SpaceRole.MODERATOR)
    ct = expert("ctpro", "ct", by=admin)
    unclaimed = create_thread(cast.space, cast.asker, title="Nobody", tags="ct", ask_expert=True)
    claimed = create_thread(cast.space, cast.asker, title="Taken", tags="ct", ask_expert=True)
    _in(app, routing.claim_question, claimed, by=ct)

    clock(hours=23)
    assert "escalated 0 question(s)" in _run_cli(app)
    clock(hours=25)
    output = _run_cli(app)
    assert "escalated 1 question(s)" in output
    assert f"escalated question {unclaimed.id} ('Nobody') to mod, owner" in output
    assert routed_to(unclaimed) == {
        ct.username: "asked",
        cast.expert.username: "asked",
        "mod": "escalated",
        cast.owner.username: "escalated",
    }
    assert "escalated" not in routed_to(claimed).values()
    clock(hours=60)
    assert "escalated 0 question(s)" in _run_cli(app)


def test_claiming_and_claiming_twice(
    app, client, cast, admin, expert, create_thread, login, routed_question
):
    ct = expert("ctpro", "ct", by=admin, display_name="Cora Tomo")
    thread = create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    login(client, ct)
    page = client.get("/experts/questions").get_data(as_text=True)
    assert thread.title in page and "Waiting for an expert" in page
    assert "Join to answer" in page  # routed, but not a member of this public space yet
    response = client.submit(f"/experts/questions/{thread.id}/claim", follow_redirects=True)
    assert "You claimed this question." in response.get_data(as_text=True)
    assert routed_question(thread).claimed_by_id == ct.id
    again = client.submit(f"/experts/questions/{thread.id}/claim", follow_redirects=True)
    assert "You already claimed this question." in again.get_data(as_text=True)

    _switch(client, login, cast.expert)
    assert "Claimed by Cora Tomo" in client.get("/experts/questions").get_data(as_text=True)
    assert "Claimed by Cora Tomo" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    response = client.submit(f"/experts/questions/{thread.id}/claim", follow_redirects=True)
    assert "Cora Tomo already claimed this question." in response.get_data(as_text=True)
    assert routed_question(thread).claimed_by_id == ct.id

    # Not routed to them: refused; without a CSRF token: refused.
    _switch(client, login, cast.member)
    assert client.submit(f"/experts/questions/{thread.id}/claim").status_code == 403
    _switch(client, login, ct)
    assert client.post(f"/experts/questions/{thread.id}/claim").status_code == 400


def test_a_stale_claim_loses_the_race(app, cast, admin, expert, create_thread, routed_question):
    """Two requests read the question unclaimed; the conditional UPDATE lets only one win."""
    ct = expert("ctpro", "ct", by=admin, display_name="Cora Tomo")
    thread = create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    with app.test_request_context():  # the first request, with its own session
        stale = db.session.get(Thread, thread.id)
        erik = db.session.get(User, cast.expert.id)
        assert routing.routing_of(stale, erik).routed_question.claimed_by_id is None
        with app.app_context():  # a second request claims meanwhile, in another session
            other = db.session.get(Thread, thread.id)
            routing.claim_question(other, by=db.session.get(User, ct.id))
            db.session.commit()
        with pytest.raises(OperationError, match="Cora Tomo already claimed this question."):
            routing.claim_question(stale, by=erik)
        db.session.rollback()
    assert routed_question(thread).claimed_by_id == ct.id


def test_passing_on(app, client, cast, admin, expert, create_thread, login, routed_to):
    ct = expert("ctpro", "ct", by=admin, display_name="Cora Tomo")
    mri = expert("mripro", "mri", by=admin, display_name="Mo Ri")
    thread = create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    _in(app, routing.claim_question, thread, by=ct)
    login(client, ct)
    url = f"/experts/questions/{thread.id}/pass"
    refused = {
        cast.member.username: "is not a verified expert who can read this space",
        "nobody-here": "There is nobody with that username.",
        cast.asker.username: "asked this question",
        ct.username: "Pass it on to someone else.",
        cast.expert.username: "already has this question",
    }
    for username, message in refused.items():
        response = client.submit(url, {"username": username}, follow_redirects=True)
        assert message in response.get_data(as_text=True), username

    response = client.submit(url, {"username": "@mripro"}, follow_redirects=True)
    assert "Passed on to Mo Ri." in response.get_data(as_text=True)
    assert routed_to(thread)["mripro"] == "passed"
    page = client.get("/experts/questions").get_data(as_text=True)
    assert "Passed on to Mo Ri" in page
    with app.app_context():
        passed = db.session.scalar(
            select(QuestionRouting).where(QuestionRouting.expert_id == mri.id)
        )
        assert passed.passed_by_id == ct.id
        assert passed.routed_question.claimed_by_id is None  # the claim was released

    _switch(client, login, mri)
    page = client.get("/experts/questions").get_data(as_text=True)
    assert thread.title in page and "by Cora Tomo" in page


def test_a_routed_experts_reply_records_the_first_expert_answer(
    app, cast, admin, expert, add_member, create_thread, create_reply, routed_question
):
    ct = expert("ctpro", "ct", by=admin)
    add_member(cast.space, ct)  # to write here, a routed expert joins like anyone
    thread = create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    late = expert("late", "ct", by=admin)  # verified after the question was routed
    add_member(cast.space, late)
    create_reply(thread, cast.member)  # not routed to them: not an expert answer
    assert routed_question(thread).answered_at is None
    post = create_reply(thread, cast.expert)
    routed = routed_question(thread)
    assert routed.answered_by_id == cast.expert.id
    assert routed.answer_post_id == post.id
    assert routed.answered_at == post.created_at
    create_reply(thread, ct)
    create_reply(thread, late)  # replying does not route it to them
    with app.app_context():
        rows = {
            r.expert_id: r
            for r in db.session.scalars(
                select(QuestionRouting).where(QuestionRouting.thread_id == thread.id)
            )
        }
    assert rows[cast.expert.id].answered_at == post.created_at
    assert rows[ct.id].answered_at is not None
    assert routed_question(thread).answered_by_id == cast.expert.id  # the first stays
    assert late.id not in rows


def test_a_locked_question_is_refused_clearly(
    app, client, cast, admin, expert, create_thread, login
):
    ct = expert("ctpro", "ct", by=admin)
    thread = create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    _in(app, forums.set_locked, thread, True, by=cast.owner)
    login(client, ct)
    response = client.submit(f"/experts/questions/{thread.id}/claim", follow_redirects=True)
    assert "This question is locked: it can no longer be answered." in response.get_data(
        as_text=True
    )
    response = client.submit(f"/t/{thread.id}/reply", {"body": "Hi"}, follow_redirects=True)
    assert "This thread is locked." in response.get_data(as_text=True)


def test_questions_for_you_in_the_menu_and_its_query_count(
    app, client, cast, create_space, add_member, create_thread, login, count_queries
):
    login(client, cast.member)
    assert 'data-testid="questions-for-you"' not in client.get("/").get_data(as_text=True)
    _switch(client, login, cast.expert)
    for n in range(5):
        create_thread(cast.space, cast.asker, title=f"Q{n}", tags="ct", ask_expert=True)
    with count_queries() as few:
        page = client.get("/experts/questions").get_data(as_text=True)
    assert page.count('class="thread-row routed-question') == 5
    assert 'data-testid="questions-for-you"' in page
    spaces = [cast.space]
    for _ in range(3):  # questions from several spaces: their memberships load at once
        space = create_space()
        add_member(space, cast.expert, role=SpaceRole.EXPERT)
        add_member(space, cast.asker)
        spaces.append(space)
    for n in range(45):
        space = spaces[n % len(spaces)]
        create_thread(space, cast.asker, title=f"R{n}", tags="ct", ask_expert=True)
    with count_queries() as many:
        page = client.get("/experts/questions").get_data(as_text=True)
    assert page.count('class="thread-row routed-question') == 20  # paginated
    assert "50 questions wait for you" in page
    assert len(many) == len(few), (len(few), len(many))
    assert client.get("/experts/questions?page=3").status_code == 200


def test_the_menu_counts_nothing_for_people_never_routed_a_question(
    client, cast, create_thread, login, count_queries
):
    """Most people were never routed a question: the menu looks for one routing of theirs and
    stops (no join of threads and spaces to count); an expert's menu still counts."""
    create_thread(cast.space, cast.asker, tags="ct", ask_expert=True)
    login(client, cast.member)
    with count_queries() as queries:
        page = client.get("/").get_data(as_text=True)
    routings = [q for q in queries if "question_routings" in q]
    assert len(routings) == 1 and "JOIN" not in routings[0].upper(), routings
    assert 'data-testid="questions-for-you"' not in page
    _switch(client, login, cast.expert)
    assert 'data-testid="questions-for-you"' in client.get("/").get_data(as_text=True)


def test_the_routing_job_is_not_scheduled_under_tests_and_routes_when_run(
    app, cast, create_thread, clock, routed_to, caplog
):
    # TestingConfig: EXPERT_ROUTING_INTERVAL_MINUTES=0
    assert "experts.route" not in {spec.name for spec, _period in periodic_jobs(app.config)}
    app.config["EXPERT_ROUTING_INTERVAL_MINUTES"] = 5
    assert ("experts.route", 300) in {(s.name, p) for s, p in periodic_jobs(app.config)}
    thread = create_thread(cast.space, cast.asker, tags="ct")
    clock(hours=25)
    caplog.set_level("INFO", logger="community.experts.commands")
    assert run_now(app, "experts.route")
    assert f"routed question {thread.id}" in caplog.text
    assert routed_to(thread) == {cast.expert.username: "unanswered"}
    caplog.clear()
    assert run_now(app, "experts.route")
    assert "routed question" not in caplog.text


def test_questions_for_you_count_only_answers_by_others(
    client, cast, create_thread, create_reply, login
):
    """The asker's "Anyone?" is not an answer: the row says 0 answers and still waits; a
    real answer makes it "1 answer", in the singular."""
    thread = create_thread(cast.space, cast.asker, title="Bumped", tags="ct", ask_expert=True)
    create_reply(thread, cast.asker, "Anyone?")
    login(client, cast.expert)
    row = client.get("/experts/questions").get_data(as_text=True)
    assert "<strong>0</strong><span>answers</span>" in row
    assert "Waiting for an expert" in row
    create_reply(thread, cast.member, "Restart the scanner.")
    row = client.get("/experts/questions").get_data(as_text=True)
    assert "<strong>1</strong><span>answer</span>" in row
