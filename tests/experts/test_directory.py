"""The expert directory, the profile's numbers and expert communities."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.extensions import db
from community.forums.models import Post, Thread
from community.permissions import Role
from community.spaces.models import Membership, MembershipState, SpaceRole
from tests.fixtures.app import page_text


def backdate(app, thread_id: int, hours_to_first: dict[int, float]) -> None:
    """Put the thread's opening a day ago and each listed reply ``hours`` after it."""
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        start = thread.created_at - timedelta(days=1)
        thread.created_at = start
        for post_id, hours in hours_to_first.items():
            db.session.get(Post, post_id).created_at = start + timedelta(hours=hours)
        db.session.commit()


def test_directory_lists_verified_experts_with_filters(
    client, cast, create_user, add_member, declare, verify
):
    zh = create_user("lin", display_name="Lin Mei", locale="zh_Hans")
    add_member(cast.space, zh)
    declare(cast.member, "ct, mri")
    verify(cast.member, "ct", by=cast.owner, space=cast.space)
    declare(zh, "mri")
    verify(zh, "mri", by=cast.owner, space=cast.space)
    declare(cast.asker, "ct")  # declared only: not an expert
    text = page_text(client.get("/experts"))
    assert "Greta" in text and "Lin Mei" in text and "Casey" not in text
    assert "2 experts" in text
    by_tag = page_text(client.get("/experts?tag=ct"))
    assert "Greta" in by_tag and "Lin Mei" not in by_tag
    by_language = page_text(client.get("/experts?language=zh_Hans"))
    assert "Lin Mei" in by_language and "Greta" not in by_language
    by_space = page_text(client.get(f"/experts?space={cast.space.slug}"))
    assert "Greta" in by_space and "Lin Mei" in by_space
    assert "No experts match" in page_text(client.get("/experts?tag=nothing"))
    # An unknown language is a 400 that names the choices; an unknown space is a 404.
    unknown = client.get("/experts?language=xx")
    assert unknown.status_code == 400
    assert "language: Choose one of: en, zh_Hans." in page_text(unknown)
    assert client.get("/experts?space=nope").status_code == 404


def test_directory_is_linked_from_the_main_nav(client):
    assert 'href="/experts"' in client.get("/").get_data(as_text=True)


def test_private_spaces_never_leak_through_the_directory(
    app,
    client,
    cast,
    create_space,
    create_user,
    add_member,
    login,
    declare,
    verify,
    create_thread,
    create_reply,
):
    secret = create_space("Secret Lab", visibility="private")
    insider = create_user("insider")
    add_member(secret, insider)
    add_member(secret, cast.member, role=SpaceRole.EXPERT)
    declare(cast.member, "ct")
    verify(cast.member, "ct", by=cast.owner, space=secret)
    question = create_thread(secret, insider)
    create_reply(question, cast.member)
    # Outsiders: no space name, no filter by it, no activity counted from it.
    login(client, cast.outsider)
    directory = page_text(client.get("/experts"))
    assert "Greta" in directory and "Secret Lab" not in directory
    assert "0 answers" in directory
    assert client.get(f"/experts?space={secret.slug}").status_code == 404
    profile = page_text(client.get(f"/u/{cast.member.username}"))
    assert "Secret Lab" not in profile
    assert "verified in" not in profile
    client.submit("/logout")
    # Members of the private space see it all.
    login(client, insider)
    directory = page_text(client.get(f"/experts?space={secret.slug}"))
    assert "Greta" in directory and "Secret Lab" in directory and "1 answer" in directory
    profile = page_text(client.get(f"/u/{cast.member.username}"))
    assert "verified in Secret Lab" in profile


def test_profile_counts_answers_accepted_and_median_first_answer(
    app, client, cast, create_thread, create_reply, declare, verify, login
):
    declare(cast.expert, "ct")
    verify(cast.expert, "ct", by=cast.owner, space=cast.space)
    # Three questions answered first by the expert after 1, 3 and 8 hours; one where the
    # member was first (not counted in the median), and a discussion (not an answer).
    for hours in (1, 3, 8):
        question = create_thread(cast.space, cast.asker)
        reply = create_reply(question, cast.expert)
        backdate(app, question.id, {reply.id: hours})
    late = create_thread(cast.space, cast.asker)
    first = create_reply(late, cast.member)
    second = create_reply(late, cast.expert)
    backdate(app, late.id, {first.id: 0.5, second.id: 20})
    discussion = create_thread(cast.space, cast.asker, kind="discussion")
    create_reply(discussion, cast.expert)
    login(client, cast.asker)
    client.submit(f"/posts/{second.id}/accept")
    response = client.get(f"/u/{cast.expert.username}")
    html = response.get_data(as_text=True)
    assert 'data-stat="answers">4<' in html
    assert 'data-stat="accepted">1<' in html
    text = page_text(response)
    assert "3 hours" in text and "over 3 questions answered first" in text


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(
    app, cast, create_thread, create_reply, declare, verify
):
    from community.accounts.models import User
    from community.experts.queries import expert_stats

    for hours in (1, 2, 4, 10):
        question = create_thread(cast.space, cast.asker)
        reply = create_reply(question, cast.expert)
        backdate(app, question.id, {reply.id: hours})
    with app.test_request_context():
        stats = expert_stats(None, db.session.get(User, cast.expert.id))
    assert stats.first_answers == 4
    assert stats.median_first_answer == timedelta(hours=3)


def test_directory_query_count_is_bounded(
    client, cast, create_user, add_member, declare, verify, count_queries, login
):
    login(client, cast.member)

    def add_experts(n: int) -> None:
        for _ in range(n):
            user = create_user()
            add_member(cast.space, user, role=SpaceRole.EXPERT)
            declare(user, "ct, mri")
            verify(user, "ct", by=cast.owner, space=cast.space)

    add_experts(5)
    with count_queries() as few:
        assert client.get("/experts").status_code == 200
    add_experts(45)
    with count_queries() as many:
        assert client.get("/experts").status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    with count_queries() as filtered:
        assert client.get(f"/experts?tag=ct&space={cast.space.slug}").status_code == 200
    assert len(filtered) <= len(many) + 2  # the space, and its tags


def test_badges_cost_one_query_for_a_whole_thread(
    client,
    cast,
    create_user,
    add_member,
    declare,
    verify,
    create_thread,
    create_reply,
    count_queries,
):
    thread = create_thread(cast.space, cast.asker)
    people = []
    for _ in range(6):
        user = create_user()
        add_member(cast.space, user)
        declare(user, "ct")
        verify(user, "ct", by=cast.owner, space=cast.space)
        people.append(user)
    for person in people[:3]:
        create_reply(thread, person)
    with count_queries() as few:
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert page.count('data-testid="expert-badge"') == 3
    for person in people[3:] * 5:
        create_reply(thread, person)
    with count_queries() as many:
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert page.count('data-testid="expert-badge"') == 18
    assert len(many) == len(few)


def test_expert_community_joining_needs_approval(
    app, client, cast, create_space, create_user, login, declare
):
    login(client, cast.owner)
    response = client.submit(
        f"/s/{cast.space.slug}/settings",
        {
            "name": cast.space.name,
            "slug": cast.space.slug,
            "visibility": "public",
            "expert_community": "y",
        },
    )
    assert response.status_code == 302
    client.submit("/logout")
    newcomer = create_user("newcomer")
    declare(newcomer, "ct")
    login(client, newcomer)
    about = page_text(client.get(f"/s/{cast.space.slug}/about"))
    assert "Ask to join" in about and "Join space" not in about
    assert "needs a request" in page_text(
        client.submit(f"/s/{cast.space.slug}/join", follow_redirects=True)
    )
    client.submit(f"/s/{cast.space.slug}/request", {"note": "I read CT all day"})
    with app.app_context():
        state = db.session.scalar(
            select(Membership.state).where(
                Membership.user_id == newcomer.id, Membership.space_id == cast.space.id
            )
        )
    assert state == MembershipState.PENDING.value


def test_expert_community_invites_always_need_approval(
    app, client, cast, create_space, create_user, login
):
    from community.accounts.models import User
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    private = create_space("Board", visibility="private")
    with app.test_request_context():
        space = db.session.get(Space, private.id)
        space.expert_community = True
        _invite, token = spaces.create_invite(space, by=db.session.get(User, cast.owner.id))
        member = spaces.accept_invite(token, db.session.get(User, cast.member.id))
        assert member.state == MembershipState.PENDING.value


def test_expert_community_member_list_shows_expertise(app, client, cast, login, declare, verify):
    declare(cast.member, "ct, mri")
    verify(cast.member, "ct", by=cast.owner, space=cast.space)
    members = page_text(client.get(f"/s/{cast.space.slug}/members"))
    assert "#mri" not in members  # an ordinary space lists no expertise to readers
    with app.app_context():
        from community.spaces.models import Space

        db.session.get(Space, cast.space.id).expert_community = True
        db.session.commit()
    members = page_text(client.get(f"/s/{cast.space.slug}/members"))
    assert "#ct" in members and "#mri" in members and "expert community" in members
    assert "Expert community" in members  # the space header says so


def test_moderator_verifies_from_the_member_list(app, client, cast, login, declare, expertise_row):
    declare(cast.member, "mri")
    login(client, cast.owner)
    page = client.get(f"/s/{cast.space.slug}/members").get_data(as_text=True)
    assert "Verify #mri for Greta" in page
    row = expertise_row(cast.member, "mri")
    response = client.submit(
        f"/expertise/{row.id}/verify",
        {"space": cast.space.id, "next": f"/s/{cast.space.slug}/members"},
    )
    assert response.location.endswith(f"/s/{cast.space.slug}/members")
    assert expertise_row(cast.member, "mri").is_verified
    page = client.get(f"/s/{cast.space.slug}/members").get_data(as_text=True)
    assert "Revoke #mri for Greta" in page


def test_verified_experts_for_a_question_respect_the_space(
    app, cast, create_space, create_user, add_member, declare, verify
):
    from community.experts.queries import verified_experts_for
    from community.spaces.models import Space

    admin = create_user("root", role=Role.ADMIN)
    outside, banned = create_user("outside"), create_user("banned")
    add_member(cast.space, banned, state=MembershipState.BANNED)
    secret = create_space("Secret", visibility="private")
    add_member(secret, cast.member)
    for user in (cast.member, outside, banned, cast.asker):
        declare(user, "ct, mri")
    for user in (cast.member, outside, banned):
        verify(user, "ct", by=admin)
    with app.test_request_context():
        public = db.session.get(Space, cast.space.id)
        private = db.session.get(Space, secret.id)
        assert [u.username for u in verified_experts_for(["ct"], public)] == ["greta", "outside"]
        assert [u.username for u in verified_experts_for(["ct"], private)] == ["greta"]
        assert verified_experts_for(["mri"], public) == []  # declared, never verified
        assert verified_experts_for([], public) == []


def test_replies_to_ones_own_questions_are_not_answers(
    app, cast, create_thread, create_reply, declare, verify
):
    """An expert who asks and then follows up earns no answers; and the asker's follow-up
    coming first does not take "answered first" from whoever really answered."""
    from community.accounts.models import User
    from community.experts.queries import answer_counts, expert_stats

    own = create_thread(cast.space, cast.expert, title="My own question")
    create_reply(own, cast.expert, "More detail on my own question.")
    question = create_thread(cast.space, cast.asker)
    bump = create_reply(question, cast.asker, "Anyone?")
    answer = create_reply(question, cast.expert, "Yes: recalibrate.")
    backdate(app, question.id, {bump.id: 1, answer.id: 5})
    with app.test_request_context():
        counts = answer_counts(None, [cast.expert.id, cast.asker.id])
        stats = expert_stats(None, db.session.get(User, cast.expert.id))
    assert counts == {cast.expert.id: (1, 0), cast.asker.id: (0, 0)}
    assert stats.first_answers == 1
    assert stats.median_first_answer == timedelta(hours=5)
