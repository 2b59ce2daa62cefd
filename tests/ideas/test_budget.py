"""Vote budgets: the space setting, refusals when spent, votes coming back, "votes left"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.errors import OperationError
from community.extensions import db
from community.ideas import curation, operations, queries
from community.ideas.models import Idea, IdeaVote
from community.spaces import operations as spaces
from community.spaces.models import Space, SpaceRole
from tests.fixtures.app import page_text

JSON = {"Accept": "application/json"}


def budget_of(app, space) -> int | None:
    with app.app_context():
        return db.session.get(Space, space.id).vote_budget


def vote_rows(app, user=None) -> int:
    with app.app_context():
        stmt = select(func.count(IdeaVote.id))
        if user is not None:
            stmt = stmt.where(IdeaVote.user_id == user.id)
        return db.session.scalar(stmt)


def left_for(user, space) -> int | None:
    """Votes left, read inside a request context."""
    return queries.votes_left(db.session.merge(user), db.session.get(Space, space.id))


def close(app, idea, status, by):
    with app.test_request_context():
        curation.change_status(
            db.session.get(Idea, idea.id), status, response="Done.", by=db.session.merge(by)
        )
        db.session.commit()


# The setting


def test_space_moderator_sets_and_lifts_the_budget(
    app, client, cast, add_member, create_user, login
):
    moderator = create_user("mod")
    add_member(cast.space, moderator, role=SpaceRole.MODERATOR)
    login(client, moderator)
    page = client.get(f"/s/{cast.space.slug}/settings")
    assert page.status_code == 200
    text = page_text(page)
    assert "Votes per member" in text and "Save space" not in text  # the space form is for owners
    saved = client.submit(f"/s/{cast.space.slug}/settings/ideas", {"vote_budget": " 5 "})
    assert saved.status_code == 302 and budget_of(app, cast.space) == 5
    assert 'value="5"' in client.get(f"/s/{cast.space.slug}/settings").get_data(as_text=True)
    client.submit(f"/s/{cast.space.slug}/settings/ideas", {"vote_budget": ""})
    assert budget_of(app, cast.space) is None
    # Moderators do not edit the space itself.
    refused = client.submit(
        f"/s/{cast.space.slug}/settings",
        {"name": "Renamed", "slug": cast.space.slug, "visibility": "public"},
    )
    assert refused.status_code == 403


def test_owner_sees_both_forms(client, cast, login):
    login(client, cast.owner)
    text = page_text(client.get(f"/s/{cast.space.slug}/settings"))
    assert "Save space" in text and "Save idea settings" in text


@pytest.mark.parametrize("value", ["0", "-3", "1001", "many", "2.5", "9" * 40])
def test_budget_must_be_a_whole_number_up_to_1000(app, client, cast, login, set_budget, value):
    set_budget(cast.space, 7)
    login(client, cast.owner)
    response = client.submit(f"/s/{cast.space.slug}/settings/ideas", {"vote_budget": value})
    assert response.status_code == 200
    assert "Enter a whole number from 1 to 1000, or leave it empty for no limit." in page_text(
        response
    )
    assert budget_of(app, cast.space) == 7


def test_operation_checks_range_and_rights(app_ctx, cast):
    space = db.session.get(Space, cast.space.id)
    for votes in (0, 1001):
        with pytest.raises(OperationError, match="whole number"):
            spaces.set_vote_budget(space, votes, by=db.session.merge(cast.owner))
    with pytest.raises(OperationError):
        spaces.set_vote_budget(space, 3, by=db.session.merge(cast.member))
    spaces.set_vote_budget(space, 1000, by=db.session.merge(cast.owner))
    assert space.vote_budget == 1000


def test_members_and_outsiders_cannot_change_the_budget(
    app, client, cast, create_space, login, set_budget
):
    set_budget(cast.space, 4)
    login(client, cast.member)
    assert client.get(f"/s/{cast.space.slug}/settings").status_code == 403
    forged = client.submit(f"/s/{cast.space.slug}/settings/ideas", {"vote_budget": "900"})
    assert forged.status_code == 403
    private = create_space(visibility="private")
    assert (
        client.submit(f"/s/{private.slug}/settings/ideas", {"vote_budget": "9"}).status_code == 404
    )
    assert (
        client.post(f"/s/{cast.space.slug}/settings/ideas", data={"vote_budget": "9"}).status_code
        == 400
    )
    assert budget_of(app, cast.space) == 4


# Voting within a budget


def test_a_vote_beyond_the_budget_is_refused_and_changes_nothing(
    app, cast, create_idea, vote_for, set_budget
):
    set_budget(cast.space, 2)
    first, second, third = (create_idea(cast.space, cast.asker) for _ in range(3))
    assert vote_for(first, cast.member) and vote_for(second, cast.member)
    with pytest.raises(OperationError, match="You have used all 2 of your votes in this space"):
        vote_for(third, cast.member)
    assert vote_rows(app, cast.member) == 2
    with app.app_context():
        assert db.session.get(Idea, third.id).vote_count == 0
        assert db.session.get(Idea, third.id).author_may_edit  # untouched by the refusal
    assert vote_for(first, cast.member) is False  # voting again for a supported idea is fine
    with app.test_request_context():
        operations.retract_vote(db.session.get(Idea, first.id), db.session.merge(cast.member))
        db.session.commit()
    assert vote_for(third, cast.member)


def test_a_budget_of_one_says_so_in_the_singular(cast, create_idea, vote_for, set_budget):
    set_budget(cast.space, 1)
    first, second = create_idea(cast.space, cast.asker), create_idea(cast.space, cast.asker)
    vote_for(first, cast.member)
    with pytest.raises(OperationError, match="You have used your 1 vote in this space"):
        vote_for(second, cast.member)


@pytest.mark.parametrize("status", ["shipped", "declined"])
def test_votes_on_ideas_that_close_come_back(app, cast, create_idea, vote_for, set_budget, status):
    set_budget(cast.space, 1)
    first, second = create_idea(cast.space, cast.asker), create_idea(cast.space, cast.asker)
    vote_for(first, cast.member)
    with app.test_request_context():
        assert left_for(cast.member, cast.space) == 0
    close(app, first, status, cast.expert)
    with app.test_request_context():
        assert left_for(cast.member, cast.space) == 1
    assert vote_for(second, cast.member)
    assert vote_rows(app, cast.member) == 2  # the closed idea keeps its vote, uncounted


def test_budgets_are_per_space(app, cast, create_space, create_idea, vote_for, set_budget):
    other = create_space("Other")
    set_budget(cast.space, 1)
    set_budget(other, 1)
    vote_for(create_idea(cast.space, cast.asker), cast.member)
    assert vote_for(create_idea(other, cast.owner), cast.member)


def test_a_lowered_budget_keeps_votes_and_shows_none_left(
    app, cast, create_idea, vote_for, set_budget
):
    ideas = [create_idea(cast.space, cast.asker) for _ in range(3)]
    for idea in ideas:
        vote_for(idea, cast.member)
    set_budget(cast.space, 1)
    assert vote_rows(app, cast.member) == 3
    with app.test_request_context():
        assert left_for(cast.member, cast.space) == 0


def test_spent_budget_answers_json_and_flash(app, client, cast, create_idea, login, set_budget):
    set_budget(cast.space, 1)
    first, second = create_idea(cast.space, cast.asker), create_idea(cast.space, cast.asker)
    login(client, cast.member)
    ok = client.submit(f"/ideas/{first.id}/vote", {"vote": "1"}, headers=JSON)
    assert ok.json == {
        "ok": True,
        "voted": True,
        "votes": 1,
        "votes_left": 0,
        "votes_left_text": "0 votes left",
    }
    refused = client.submit(f"/ideas/{second.id}/vote", {"vote": "1"}, headers=JSON)
    assert refused.status_code == 400 and refused.json["ok"] is False
    assert "You have used your 1 vote in this space" in refused.json["error"]
    flashed = client.submit(f"/ideas/{second.id}/vote", {"vote": "1"}, follow_redirects=True)
    assert "You have used your 1 vote in this space" in page_text(flashed)
    back = client.submit(f"/ideas/{first.id}/vote", {"vote": "0"}, headers=JSON)
    assert back.json["votes_left"] == 1 and back.json["votes_left_text"] == "1 vote left"
    assert vote_rows(app) == 0


def test_votes_left_on_the_list_and_the_idea_page(
    client, cast, create_idea, login, set_budget, vote_for
):
    set_budget(cast.space, 3)
    idea = create_idea(cast.space, cast.asker)
    assert "3 votes per person" in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    login(client, cast.member)
    assert "3 votes left" in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    vote_for(idea, cast.member)
    assert "2 votes left" in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    assert "2 votes left" in page_text(client.get(f"/ideas/{idea.id}"))
    zh = client.get(f"/ideas/{idea.id}", headers={"Accept-Language": "zh-CN"})
    assert "还剩 2 票" in page_text(zh)


def test_no_votes_left_note_without_a_budget(client, cast, create_idea, login):
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.member)
    assert "votes left" not in page_text(client.get(f"/s/{cast.space.slug}/ideas"))
    assert "votes left" not in page_text(client.get(f"/ideas/{idea.id}"))


def test_votes_left_costs_a_fixed_number_of_queries(
    app, client, cast, create_idea, login, set_budget, vote_for, count_queries
):
    set_budget(cast.space, 50)
    idea = create_idea(cast.space, cast.asker)
    login(client, cast.member)
    vote_for(idea, cast.member)
    with count_queries() as few:
        client.get(f"/s/{cast.space.slug}/ideas")
        client.get(f"/ideas/{idea.id}")
    for _ in range(15):
        vote_for(create_idea(cast.space, cast.asker), cast.member)
    with count_queries() as many:
        text = page_text(client.get(f"/s/{cast.space.slug}/ideas"))
        client.get(f"/ideas/{idea.id}")
    assert "34 votes left" in text
    assert len(many) == len(few)
