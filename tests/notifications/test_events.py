"""Who is told of what: follows, auto-follow, each event kind, the actor, mutes, dedupe."""

from __future__ import annotations

from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.spaces.models import SpaceRole


def test_authors_follow_their_threads_and_ideas_and_voters_the_ideas(
    create_space, create_user, add_member, create_thread, create_idea, vote_for, follow_level_of
):
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, alice)
    idea = create_idea(space, alice)
    vote_for(idea, bob)
    assert follow_level_of(alice, "thread", thread.id) == "watching"
    assert follow_level_of(alice, "idea", idea.id) == "watching"
    assert follow_level_of(bob, "idea", idea.id) == "normal"


def test_auto_follow_can_be_turned_off(
    app,
    client,
    login,
    create_space,
    create_user,
    add_member,
    create_thread,
    create_idea,
    vote_for,
    follow_level_of,
):
    space = create_space()
    alice, bob = create_user("alice"), create_user("bob")
    add_member(space, alice)
    add_member(space, bob)
    login(client, alice)
    response = client.submit("/settings/notifications", {"mail_reply": "digest"})
    assert response.status_code == 302
    thread = create_thread(space, alice)
    idea = create_idea(space, bob)
    vote_for(idea, alice)
    assert follow_level_of(alice, "thread", thread.id) is None
    assert follow_level_of(alice, "idea", idea.id) is None


def test_reply_reaches_watchers_and_the_normal_author_not_actor_muted_or_outsiders(
    create_space, create_user, add_member, create_thread, create_reply, follow, kinds_for
):
    space = create_space()
    alice, bob, carol, dan, erin = (
        create_user(n) for n in ("alice", "bob", "carol", "dan", "erin")
    )
    for u in (alice, bob, carol, dan):
        add_member(space, u)
    thread = create_thread(space, alice)
    follow(alice, "thread", thread.id, "normal")  # the author: replies to their thread
    follow(carol, "thread", thread.id, "watching")
    follow(dan, "thread", thread.id, "muted")
    follow(erin, "thread", thread.id, "normal")  # normal, not the author: not told of replies
    create_reply(thread, bob)
    assert kinds_for(alice) == ["reply"]
    assert kinds_for(carol) == ["reply"]
    assert kinds_for(bob) == []  # the actor
    assert kinds_for(dan) == []
    assert kinds_for(erin) == []


def test_a_mentioned_watcher_gets_one_mention_not_also_the_reply(
    create_space, create_user, add_member, create_thread, create_reply, follow, kinds_for
):
    space = create_space()
    alice, bob, carol = create_user("alice"), create_user("bob"), create_user("carol")
    for u in (alice, bob, carol):
        add_member(space, u)
    thread = create_thread(space, alice)
    follow(carol, "thread", thread.id, "watching")
    create_reply(thread, bob, body="@carol and @alice, look at this")
    assert kinds_for(carol) == ["mention"]
    assert kinds_for(alice) == ["mention"]


def test_mentions_skip_those_who_cannot_read_or_muted(
    create_space, create_user, add_member, create_thread, create_reply, follow, kinds_for
):
    space = create_space(visibility="private")
    alice, bob, outsider = create_user("alice"), create_user("bob"), create_user("outsider")
    add_member(space, alice)
    add_member(space, bob)
    thread = create_thread(space, alice)
    follow(bob, "thread", thread.id, "muted")
    create_reply(thread, alice, body="@outsider @bob what do you think?")
    assert kinds_for(outsider) == []
    assert kinds_for(bob) == []


def test_accepted_answer_tells_its_author_and_the_followers(
    app,
    create_space,
    create_user,
    add_member,
    create_thread,
    create_reply,
    follow,
    notifications_of,
):
    space = create_space()
    alice, bob, carol = create_user("alice"), create_user("bob"), create_user("carol")
    for u in (alice, bob, carol):
        add_member(space, u)
    thread = create_thread(space, alice)
    answer = create_reply(thread, bob)
    follow(carol, "thread", thread.id, "normal")
    with app.test_request_context():
        forums.accept_answer(db.session.get(Post, answer.id), by=alice_row(alice))
        db.session.commit()
    bob_notes = [n for n in notifications_of(bob) if n.kind == "answer_accepted"]
    assert len(bob_notes) == 1 and bob_notes[0].data == {"yours": True}
    assert [n.kind for n in notifications_of(carol)] == ["answer_accepted"]
    assert [n.kind for n in notifications_of(alice)] == ["reply"]  # not of her own act


def alice_row(user):
    from community.accounts.models import User

    return db.session.get(User, user.id)


def test_status_change_and_release_reach_followers_and_voters(
    create_space,
    create_user,
    add_member,
    create_idea,
    vote_for,
    set_status,
    create_product,
    create_release,
    link_idea,
    site_admin,
    follow,
    kinds_for,
    notifications_of,
):
    space = create_space()
    alice, bob, carol, dan = (create_user(n) for n in ("alice", "bob", "carol", "dan"))
    for u in (alice, bob, carol, dan):
        add_member(space, u)
    idea = create_idea(space, alice)
    vote_for(idea, bob)  # follows at normal
    vote_for(idea, carol)
    follow(carol, "idea", idea.id, None)  # stopped following, but voted
    follow(dan, "idea", idea.id, "muted")
    set_status(idea, "planned", site_admin)
    assert kinds_for(alice) == ["idea_status"]
    assert kinds_for(bob) == ["idea_status"]
    assert kinds_for(carol) == []
    product = create_product([space], name="Scanner")
    release = create_release(product, "2.1")
    set_status(idea, "shipped", site_admin)
    link_idea(idea, site_admin, product, release)
    released = [n for n in notifications_of(carol) if n.kind == "idea_released"]
    assert released and released[0].data == {"product": "Scanner", "version": "2.1"}
    assert "idea_released" in kinds_for(bob)
    assert kinds_for(dan) == []


def test_join_request_goes_to_moderators_and_the_answer_to_the_requester(
    app, client, login, create_space, create_user, add_member, space_owner, kinds_for
):
    space = create_space(visibility="restricted")
    mod, asker = create_user("mod"), create_user("asker")
    add_member(space, mod, role=SpaceRole.MODERATOR)
    login(client, asker)
    client.submit(f"/s/{space.slug}/request", {"note": "Please"})
    assert kinds_for(mod) == ["join_requested"]
    assert kinds_for(space_owner) == ["join_requested"]
    from community.spaces import operations as spaces
    from community.spaces.models import Membership

    with app.test_request_context():
        membership = db.session.query(Membership).filter_by(user_id=asker.id).one()
        spaces.decide_request(membership, approve=True, by=alice_row(mod))
        db.session.commit()
    assert kinds_for(asker) == ["join_decided"]


def test_session_start_reaches_space_followers(
    create_space, create_user, add_member, create_brainstorm, to_phase, follow, kinds_for
):
    from community.brainstorms.models import Phase

    space = create_space()
    expert, fan, muted = create_user("expert"), create_user("fan"), create_user("muted")
    add_member(space, expert, role=SpaceRole.EXPERT)
    add_member(space, fan)
    add_member(space, muted)
    follow(fan, "space", space.id, "normal")
    follow(muted, "space", space.id, "watching")
    session_id = create_brainstorm(space, expert)
    follow(muted, "session", session_id, "muted")
    to_phase(session_id, Phase.IDEATE)
    assert kinds_for(fan) == ["session_started"]
    assert kinds_for(muted) == []
    assert kinds_for(expert) == []


def test_space_watchers_hear_of_new_threads_and_ideas(
    create_space, create_user, add_member, create_thread, create_idea, follow, kinds_for
):
    space = create_space()
    alice, watcher = create_user("alice"), create_user("watcher")
    add_member(space, alice)
    follow(watcher, "space", space.id, "watching")
    create_thread(space, alice)
    create_idea(space, alice)
    assert kinds_for(watcher) == ["new_thread", "new_idea"]


def test_routed_question_tells_each_expert(
    app, create_space, create_user, add_member, create_thread, kinds_for
):
    space = create_space(tags="detectors")
    expert, asker = create_user("expert"), create_user("asker")
    add_member(space, expert, role=SpaceRole.EXPERT)
    add_member(space, asker)
    create_thread(space, asker, ask_expert=True, tags="detectors")
    assert kinds_for(expert) == ["question_routed"]


def test_idea_watchers_hear_of_comments_in_its_codesign_thread(
    create_space, create_user, add_member, create_idea, create_reply, follow, kinds_for
):
    space = create_space()
    alice, bob, carol = create_user("alice"), create_user("bob"), create_user("carol")
    for u in (alice, bob, carol):
        add_member(space, u)
    idea = create_idea(space, alice)
    follow(carol, "idea", idea.id, "watching")
    create_reply(_thread_of(idea), bob, body="Could it work offline?")
    assert kinds_for(carol) == ["reply"]
    assert kinds_for(alice) == ["reply"]  # the author watches her idea's thread


def _thread_of(idea):
    return Thread(id=idea.thread_id)


def test_session_watchers_hear_every_phase_normal_followers_only_the_start(
    create_space, create_user, add_member, create_brainstorm, to_phase, follow, kinds_for
):
    from community.brainstorms.models import Phase

    space = create_space()
    expert, watcher, casual = create_user("expert"), create_user("watcher"), create_user("casual")
    add_member(space, expert, role=SpaceRole.EXPERT)
    add_member(space, watcher)
    add_member(space, casual)
    session_id = create_brainstorm(space, expert)
    follow(watcher, "session", session_id, "watching")
    follow(casual, "session", session_id, "normal")
    to_phase(session_id, Phase.VOTE)
    assert kinds_for(watcher) == ["session_started", "session_phase", "session_phase"]
    assert kinds_for(casual) == ["session_started"]


def test_a_new_kind_is_a_registration_and_a_notify_call(
    app, create_space, create_user, add_member, create_thread, client, login
):
    from flask_babel import lazy_gettext as _l

    from community.accounts.models import User
    from community.notifications.kinds import KINDS, register_kind
    from community.notifications.operations import notify
    from tests.fixtures.app import page_text

    space = create_space()
    alice, mod = create_user("alice"), create_user("mod")
    add_member(space, alice)
    thread = create_thread(space, alice, title="Flagged thread")
    register_kind(
        "example_kind",
        label=_l("An example kind"),
        sentence=_l("Someone %(action)s “%(title)s”"),
    )
    try:
        with app.test_request_context():
            notify(
                db.session.get(User, alice.id),
                "example_kind",
                actor=db.session.get(User, mod.id),
                thread=db.session.get(Thread, thread.id),
                data={"action": "hid"},
            )
            db.session.commit()
        login(client, alice)
        assert "Someone hid “Flagged thread”" in page_text(client.get("/notifications"))
        assert "An example kind" in page_text(client.get("/settings/notifications"))
    finally:
        KINDS.pop("example_kind")
