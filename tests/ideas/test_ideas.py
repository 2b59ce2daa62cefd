"""Ideas: proposing, editing rules, voting, the status pipeline, lists and limits."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from community import signals
from community.extensions import db
from community.forums.models import Thread
from community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from community.spaces.models import MembershipState
from tests.fixtures.app import page_text

IDEA = {
    "title": "Dark mode for the reading room",
    "body": "Radiologists read in **dim** rooms.",
    "tags": "ui, reading",
}


def fresh(app, idea_id) -> Idea:
    with app.app_context():
        row = db.session.get(Idea, idea_id)
        db.session.expunge(row)
        return row


def votes(app, idea_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == idea_id))


def test_member_posts_an_idea_with_its_codesign_thread(app, client, cast, login):
    login(client, cast.asker)
    fired = []
    with signals.idea_submitted.connected_to(lambda idea, **kw: fired.append(idea.title)):
        response = client.submit(f"/s/{cast.space.slug}/ideas/new", IDEA)
    assert response.status_code == 302
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert "Dark mode for the reading room" in html and "<strong>dim</strong>" in html
    assert fired == ["Dark mode for the reading room"]
    with app.app_context():
        idea = db.session.scalar(select(Idea))
        thread = db.session.get(Thread, idea.thread_id)
        assert thread.kind == "codesign" and thread.idea_id == idea.id
        assert idea.tag_names == ["reading", "ui"] and idea.status == "new"
    # The co-design thread is discussed on the idea page, not in the thread list.
    assert "Dark mode" not in page_text(client.get(f"/s/{cast.space.slug}"))
    client.submit(f"/t/{idea.thread_id}/reply", {"body": "Also an amber filter please"})
    assert "amber filter" in page_text(client.get(f"/ideas/{idea.id}"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Give it a title."),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"body": ""}, "Write something first."),
        ({"tags": "a,b,c,d,e,f"}, "at most 5 tags"),
    ],
)
def test_idea_limits(app, client, cast, login, changes, message):
    login(client, cast.asker)
    response = client.submit(f"/s/{cast.space.slug}/ideas/new", {**IDEA, **changes})
    assert response.status_code == 200 and message in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id))) == 0
        assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_outsiders_cannot_post_ideas_in_restricted_spaces(
    app, client, create_space, create_user, login
):
    space = create_space(visibility="restricted")
    login(client, create_user())
    assert client.submit(f"/s/{space.slug}/ideas/new", IDEA).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_voting_is_idempotent_and_records_the_voters_segment(
    app, client, cast, login, create_idea, create_user
):
    idea = create_idea(cast.space, cast.asker)
    voter = create_user("voter", organisation="Fjordhus", segment="enterprise")
    login(client, voter)
    for _ in range(3):
        assert client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}).status_code == 302
    assert fresh(app, idea.id).vote_count == 1 == votes(app, idea.id)
    with app.app_context():
        vote = db.session.scalar(select(IdeaVote))
        assert (vote.organisation, vote.segment) == ("Fjordhus", "enterprise")
    for _ in range(2):
        client.submit(f"/ideas/{idea.id}/vote", {"vote": "0"})
    assert fresh(app, idea.id).vote_count == 0 == votes(app, idea.id)


def test_vote_answers_json_for_scripts(client, cast, login, create_idea, create_user):
    idea = create_idea(cast.space, cast.asker)
    login(client, create_user())
    response = client.submit(
        f"/ideas/{idea.id}/vote", {"vote": "1"}, headers={"Accept": "application/json"}
    )
    assert response.json == {
        "ok": True,
        "voted": True,
        "votes": 1,
        "votes_left": None,  # the space has no vote budget
        "votes_left_text": None,
    }


def test_vote_needs_sign_in_and_csrf(app, client, cast, create_idea):
    idea = create_idea(cast.space, cast.asker)
    assert client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}).status_code == 302
    assert client.post(f"/ideas/{idea.id}/vote", data={"vote": "1"}).status_code == 400
    assert votes(app, idea.id) == 0


def test_private_space_ideas_are_hidden_from_outsiders(
    app, client, create_space, create_user, add_member, create_idea, login, space_owner
):
    space = create_space("Board", visibility="private")
    idea = create_idea(space, space_owner, title="Secret SSO plan")
    outsider = create_user()
    login(client, outsider)
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}).status_code == 404
    assert "Secret SSO plan" not in page_text(client.get("/ideas"))
    assert votes(app, idea.id) == 0


def test_banned_member_cannot_vote(app, client, cast, create_idea, create_user, add_member, login):
    idea = create_idea(cast.space, cast.asker)
    troll = create_user()
    add_member(cast.space, troll, state=MembershipState.BANNED)
    login(client, troll)
    refused = client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}, follow_redirects=True)
    assert "You may not vote on this idea." in page_text(refused)
    assert votes(app, idea.id) == 0


def test_status_pipeline_with_public_responses_and_timeline(app, client, cast, login, create_idea):
    idea = create_idea(cast.space, cast.asker)
    changes = []
    login(client, cast.expert)
    with signals.idea_status_changed.connected_to(
        lambda i, **kw: changes.append((kw["old"], kw["new"]))
    ):
        client.submit(
            f"/ideas/{idea.id}/status", {"status": "under_review", "response": "Looking at it."}
        )
        client.submit(
            f"/ideas/{idea.id}/status", {"status": "planned", "response": "Planned for **Q3**."}
        )
    assert changes == [("new", "under_review"), ("under_review", "planned")]
    text = page_text(client.get(f"/ideas/{idea.id}"))
    assert text.index("Looking at it.") < text.index("Planned for Q3")
    assert fresh(app, idea.id).status == "planned"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "awesome", "response": "x"}, "Not a valid choice."),
        ({"status": "merged", "response": "x"}, "Not a valid choice."),
        ({"status": "planned", "response": ""}, "Tell the community why"),
        ({"status": "new", "response": "again"}, "already has that status"),
    ],
)
def test_status_refusals(app, client, cast, login, create_idea, data, message):
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.expert)
    response = client.submit(f"/ideas/{idea.id}/status", data, follow_redirects=True)
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(IdeaStatusChange.id))) == 0
    assert fresh(app, idea.id).status == "new"


def test_members_cannot_change_status(app, client, cast, login, create_idea):
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.asker)
    response = client.submit(
        f"/ideas/{idea.id}/status",
        {"status": "shipped", "response": "done!"},
        follow_redirects=True,
    )
    assert "You may not change the status" in page_text(response)
    assert fresh(app, idea.id).status == "new"


def test_closed_ideas_take_no_votes(app, client, cast, login, create_idea, create_user):
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.expert)
    client.submit(f"/ideas/{idea.id}/status", {"status": "declined", "response": "Out of scope."})
    client.submit("/logout")
    login(client, create_user())
    refused = client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}, follow_redirects=True)
    assert "closed" in page_text(refused)
    assert votes(app, idea.id) == 0


def test_author_edits_until_others_vote(app, client, cast, login, create_idea):
    idea = create_idea(cast.space, cast.asker, title="First wording")
    login(client, cast.asker)
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})  # the author's own vote does not lock
    assert (
        client.submit(
            f"/ideas/{idea.id}/edit", {"title": "Second wording", "body": "b", "tags": ""}
        ).status_code
        == 302
    )
    assert fresh(app, idea.id).title == "Second wording"
    client.submit("/logout")
    login(client, cast.member)
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    client.submit("/logout")
    login(client, cast.asker)
    assert (
        client.submit(
            f"/ideas/{idea.id}/edit", {"title": "Third", "body": "b", "tags": ""}
        ).status_code
        == 403
    )
    client.submit("/logout")
    login(client, cast.owner)
    unsaid = client.submit(
        f"/ideas/{idea.id}/edit", {"title": "Moderated title", "body": "b", "tags": ""}
    )
    assert unsaid.status_code == 200 and "Give a reason" in page_text(unsaid)
    assert fresh(app, idea.id).title == "Second wording"
    assert (
        client.submit(
            f"/ideas/{idea.id}/edit",
            {"title": "Moderated title", "body": "b", "tags": "", "reason": "Clearer title"},
        ).status_code
        == 302
    )
    assert fresh(app, idea.id).title == "Moderated title"
    with app.app_context():
        from community.moderation.models import AuditEvent

        [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "edit"))
        assert event.reason == "Clearer title" and event.target_type == "idea"
        assert event.before["title"] == "Second wording"
        assert event.after["title"] == "Moderated title"


def test_mass_assignment_is_ignored(app, client, cast, login):
    login(client, cast.asker)
    client.submit(
        f"/s/{cast.space.slug}/ideas/new",
        {**IDEA, "vote_count": "999", "author_id": str(cast.owner.id), "status": "shipped"},
    )
    with app.app_context():
        idea = db.session.scalar(select(Idea))
        assert (idea.vote_count, idea.author_id, idea.status) == (0, cast.asker.id, "new")


def test_sorts_filters_and_query_bounds(
    app, client, cast, login, create_idea, create_user, count_queries
):
    old = create_idea(cast.space, cast.asker, title="Popular idea", tags="ui")
    new = create_idea(cast.space, cast.member, title="Newest idea")
    for _ in range(3):
        voter = create_user()
        c = app.test_client()
        from tests.fixtures.accounts import PASSWORD

        c.submit("/login", {"login": voter.username, "password": PASSWORD})
        c.submit(f"/ideas/{old.id}/vote", {"vote": "1"})
    login(client, cast.asker)
    top = page_text(client.get(f"/s/{cast.space.slug}/ideas?sort=top"))
    assert top.index("Popular idea") < top.index("Newest idea")
    newest = page_text(client.get(f"/s/{cast.space.slug}/ideas?sort=newest"))
    assert newest.index("Newest idea") < newest.index("Popular idea")
    trending = page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    assert trending.index("Popular idea") < trending.index("Newest idea")
    assert "Newest idea" not in page_text(client.get(f"/s/{cast.space.slug}/ideas?mine=1"))
    assert "Popular idea" in page_text(client.get("/ideas?tag=ui"))
    assert "Newest idea" not in page_text(client.get("/ideas?tag=ui"))
    assert new.id
    with count_queries() as few:
        client.get(f"/s/{cast.space.slug}/ideas")
        client.get(f"/ideas/{old.id}")
    for n in range(40):
        create_idea(cast.space, cast.member, title=f"More {n}", tags="ui, x")
    with count_queries() as many:
        client.get(f"/s/{cast.space.slug}/ideas")
        client.get(f"/ideas/{old.id}")
    assert len(many) == len(few)


def vote_buttons(response) -> dict[int, bool]:
    """Each listed idea's vote button: whether it is enabled."""
    forms = re.findall(r'data-idea-id="(\d+)">(.*?)</form>', response.get_data(as_text=True), re.S)
    return {int(idea_id): " disabled" not in form for idea_id, form in forms}


def test_list_across_many_spaces_runs_the_queries_of_one(
    app,
    client,
    cast,
    space_owner,
    create_space,
    add_member,
    create_idea,
    vote_for,
    login,
    count_queries,
):
    """A member's list of 50 ideas from ten spaces runs as many queries as 5 ideas in one:
    one query for the memberships, however many spaces the page shows."""
    first = [create_idea(cast.space, cast.asker, title=f"First {n}", tags="ui") for n in range(5)]
    vote_for(first[0], cast.member)
    login(client, cast.member)
    pages = ("/ideas", "/ideas?sort=top", "/ideas?sort=newest")
    with count_queries() as few:
        for path in pages:
            assert client.get(path).status_code == 200
    mine = [create_space(visibility=v) for v in ("public", "restricted", "private") * 3]
    for space in mine:
        add_member(space, cast.member)
    # A restricted space the viewer is not in: its ideas are listed but take no vote from them.
    other = create_space(visibility="restricted")
    spread = [
        create_idea([*mine, other][n % 10], space_owner, title=f"Spread {n}", tags="x, y")
        for n in range(45)
    ]
    for idea in spread[:9]:
        vote_for(idea, cast.member)
    with app.app_context():
        db.session.get(Idea, spread[1].id).status = "shipped"
        db.session.commit()
    with count_queries() as many:
        for path in pages:
            assert client.get(path).status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    buttons = {}
    for number in (1, 2, 3):
        buttons |= vote_buttons(client.get(f"/ideas?sort=newest&page={number}"))
    no_votes = {spread[1].id} | {idea.id for n, idea in enumerate(spread) if n % 10 == 9}
    assert len(buttons) == 50 and len(no_votes) == 5
    assert {idea_id for idea_id, enabled in buttons.items() if not enabled} == no_votes


@pytest.mark.race
def test_concurrent_votes_leave_exact_rows_and_count(app, cast, create_idea, create_user, login):
    idea = create_idea(cast.space, cast.asker)
    voters = [create_user() for _ in range(8)]
    errors = []

    def vote(user, times):
        c = app.test_client()
        login(c, user)
        for _ in range(times):
            if c.submit(f"/ideas/{idea.id}/vote", {"vote": "1"}).status_code != 302:
                errors.append(user.username)

    workers = [threading.Thread(target=vote, args=(u, 1)) for u in voters]
    workers += [threading.Thread(target=vote, args=(voters[0], 4)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert votes(app, idea.id) == 8 == fresh(app, idea.id).vote_count


def test_recount_repairs_drift_and_is_stable(app, cast, create_idea, create_user, login, client):
    idea = create_idea(cast.space, cast.asker)
    login(client, create_user())
    client.submit(f"/ideas/{idea.id}/vote", {"vote": "1"})
    with app.app_context():
        db.session.get(Idea, idea.id).vote_count = 42
        db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ideas", "recount"])
    assert "Fixed 1" in first.output and fresh(app, idea.id).vote_count == 1
    second = runner.invoke(args=["ideas", "recount"])
    assert "Fixed 0" in second.output


def test_ideas_are_searchable_and_suggested(client, cast, create_idea, login):
    create_idea(cast.space, cast.asker, title="Offline mode for field engineers")
    login(client, cast.member)
    data = client.get("/search/suggest?q=offline&kind=idea").json
    assert [r["title"] for r in data["results"]] == ["Offline mode for field engineers"]
    assert data["results"][0]["url"].startswith("/ideas/")


def test_an_idea_page_reads_its_author_with_the_idea(client, cast, create_idea, count_queries):
    """The idea comes with its author in one query, not a second one for the author alone."""
    idea = create_idea(cast.space, cast.asker, title="Whose idea")
    with count_queries() as queries:
        page = client.get(f"/ideas/{idea.id}")
    assert page.status_code == 200 and cast.asker.display_name in page_text(page)
    statements = [" ".join(q.split()) for q in queries]
    assert not [q for q in statements if "FROM users WHERE users.id = ?" in q], statements
    assert [q for q in statements if q.startswith("SELECT ideas.") and "JOIN users" in q]
