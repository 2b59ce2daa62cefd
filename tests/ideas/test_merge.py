"""Merging duplicate ideas, unmerging them, and deleting ideas."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import signals
from community.errors import OperationError
from community.extensions import db
from community.forums.models import Thread
from community.ideas import curation, operations
from community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from community.permissions import Role
from community.spaces.models import MembershipState, Space, SpaceRole
from tests.fixtures.app import page_text


def fresh(app, idea) -> Idea:
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        db.session.expunge(row)
        return row


def voters(app, idea) -> dict[int, int | None]:
    """Voter id -> the idea the vote was moved from (None for votes cast here)."""
    with app.app_context():
        rows = db.session.execute(
            select(IdeaVote.user_id, IdeaVote.merged_from_id).where(IdeaVote.idea_id == idea.id)
        )
        return dict(rows.all())


def counts_are_exact(app) -> bool:
    with app.app_context():
        return operations.recount_votes() == 0


def merge(app, idea, into_id, by, response="Same request as the other one."):
    with app.test_request_context():
        change = curation.merge_idea(
            db.session.get(Idea, idea.id), into_id, response=response, by=db.session.merge(by)
        )
        db.session.commit()
        return change.id


def unmerge(app, idea, by, response=""):
    with app.test_request_context():
        curation.unmerge_idea(
            db.session.get(Idea, idea.id), response=response, by=db.session.merge(by)
        )
        db.session.commit()


def set_status(app, idea, status, by):
    with app.test_request_context():
        curation.change_status(
            db.session.get(Idea, idea.id), status, response="Noted.", by=db.session.merge(by)
        )
        db.session.commit()


@pytest.fixture
def duplicates(cast, create_idea, create_user, vote_for):
    """A and B in one space: one voter on A only, one on both, one on B only."""
    a = create_idea(cast.space, cast.asker, title="Export the audit log as CSV")
    b = create_idea(cast.space, cast.member, title="Audit log export")
    only_a, both, only_b = create_user("ana"), create_user("bo"), create_user("bea")
    vote_for(a, only_a)
    vote_for(a, both)
    vote_for(b, both)
    vote_for(b, only_b)
    return a, b, only_a, both, only_b


def test_expert_merges_a_duplicate_from_its_page(app, client, cast, login, duplicates):
    a, b, only_a, both, only_b = duplicates
    fired = []
    login(client, cast.expert)
    with signals.idea_merged.connected_to(
        lambda idea, **kw: fired.append((idea.id, kw["into"].id, kw["moved"]))
    ):
        response = client.submit(
            f"/ideas/{a.id}/merge",
            {"merge_into": f"#{b.id}", "merge_response": "Same as the **export** idea."},
        )
    assert response.status_code == 302
    assert fired == [(a.id, b.id, 1)]
    merged = fresh(app, a)
    assert (merged.status, merged.merged_into_id) == ("merged", b.id)
    # A keeps its own votes (closed, so uncounted); B gains A's voter once, not twice.
    assert voters(app, a) == {only_a.id: None, both.id: None}
    assert voters(app, b) == {both.id: None, only_b.id: None, only_a.id: a.id}
    assert (fresh(app, a).vote_count, fresh(app, b).vote_count) == (2, 3)
    assert counts_are_exact(app)

    a_page = page_text(client.get(f"/ideas/{a.id}"))
    assert f"Merged into #{b.id} Audit log export" in a_page
    assert f"into #{b.id} Audit log export" in a_page and "Same as the export idea." in a_page
    assert "Unmerge" in a_page and "Change status" not in a_page
    b_html = client.get(f"/ideas/{b.id}").get_data(as_text=True)
    assert "Merged here" in b_html and f'href="/ideas/{a.id}"' in b_html
    assert "Export the audit log as CSV" in page_text(client.get(f"/ideas/{b.id}"))


def test_a_merged_idea_takes_no_votes_and_no_status(
    app, client, cast, login, duplicates, create_user
):
    a, b, *_ = duplicates
    merge(app, a, b.id, cast.expert)
    login(client, create_user())
    refused = client.submit(f"/ideas/{a.id}/vote", {"vote": "1"}, follow_redirects=True)
    assert "This idea is closed and takes no more votes." in page_text(refused)
    with pytest.raises(OperationError, match="Unmerge it to change its status"):
        set_status(app, a, "planned", cast.expert)
    assert fresh(app, a).vote_count == 2


def test_merged_ideas_leave_search_and_come_back(app, client, cast, login, duplicates):
    a, b, *_ = duplicates
    login(client, cast.member)

    def found():
        data = client.get("/search/suggest?q=audit&kind=idea").json
        return sorted(r["title"] for r in data["results"])

    assert found() == ["Audit log export", "Export the audit log as CSV"]
    merge(app, a, b.id, cast.expert)
    assert found() == ["Audit log export"]
    unmerge(app, a, cast.expert)
    assert found() == ["Audit log export", "Export the audit log as CSV"]


@pytest.mark.parametrize("number", ["{b}", "#{b}", " # {b} ", "http://localhost/ideas/{b}"])
def test_the_other_idea_may_be_named_by_number_or_link(
    app, client, cast, login, duplicates, number
):
    a, b, *_ = duplicates
    login(client, cast.owner)
    response = client.submit(
        f"/ideas/{a.id}/merge",
        {"merge_into": number.format(b=b.id), "merge_response": "Duplicate."},
    )
    assert response.status_code == 302 and fresh(app, a).merged_into_id == b.id


@pytest.mark.parametrize(
    "target, response, message",
    [
        ("self", "Dup", "An idea cannot be merged into itself."),
        ("", "Dup", "Enter the number of the idea to merge into."),
        ("forty-two", "Dup", "Enter an idea's number, such as 42."),
        ("999999", "Dup", "There is no idea #999999 that you can see."),
        ("9999999999", "Dup", "There is no idea #9999999999 that you can see."),
        ("99999999999", "Dup", "Enter an idea's number, such as 42."),
        ("other", "", "Tell the community why, in a short response."),
    ],
)
def test_merge_refusals_show_on_the_form(
    app, client, cast, login, duplicates, target, response, message
):
    a, b, *_ = duplicates
    login(client, cast.expert)
    number = {"self": str(a.id), "other": str(b.id)}.get(target, target)
    refused = client.submit(
        f"/ideas/{a.id}/merge", {"merge_into": number, "merge_response": response}
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert message in page_text(refused) and '<details id="merge" open' in html
    assert fresh(app, a).status == "new" and fresh(app, b).vote_count == 2


def test_cannot_merge_into_a_merged_idea_or_merge_twice(app, cast, duplicates, create_idea):
    a, b, *_ = duplicates
    c = create_idea(cast.space, cast.asker)
    merge(app, b, c.id, cast.expert)
    with pytest.raises(OperationError, match=f"Idea #{b.id} is itself merged into another idea"):
        merge(app, a, b.id, cast.expert)
    merge(app, a, c.id, cast.expert)
    with pytest.raises(OperationError, match="already merged into another one"):
        merge(app, a, b.id, cast.expert)
    assert fresh(app, a).merged_into_id == c.id
    assert counts_are_exact(app)


def test_a_forged_second_merge_is_refused_on_top_of_the_page(
    app, client, cast, login, duplicates, create_idea
):
    a, b, *_ = duplicates
    c = create_idea(cast.space, cast.asker)
    merge(app, a, c.id, cast.expert)
    login(client, cast.expert)
    refused = client.submit(
        f"/ideas/{a.id}/merge",
        {"merge_into": str(b.id), "merge_response": "Again"},
        follow_redirects=True,
    )
    assert "This idea is already merged into another one." in page_text(refused)
    assert fresh(app, a).merged_into_id == c.id and fresh(app, b).vote_count == 2


def test_members_and_authors_cannot_merge(app, client, cast, login, duplicates):
    a, b, *_ = duplicates
    for person in (cast.asker, cast.member):  # A's author, B's author
        login(client, person)
        forged = client.submit(
            f"/ideas/{a.id}/merge", {"merge_into": str(b.id), "merge_response": "mine"}
        )
        assert forged.status_code == 403
        assert "Merge into another idea" not in page_text(client.get(f"/ideas/{a.id}"))
        client.submit("/logout")
    with pytest.raises(OperationError, match="You may not merge this idea."):
        merge(app, a, b.id, cast.member)
    assert fresh(app, a).status == "new"


def test_cannot_merge_into_an_idea_one_cannot_read(
    app, cast, duplicates, create_space, create_user, create_idea
):
    a, *_ = duplicates
    board_owner = create_user("boardowner", role=Role.MODERATOR)
    board = create_space("Board", visibility="private", owner=board_owner)
    secret = create_idea(board, board_owner, title="Secret roadmap item")
    with pytest.raises(OperationError, match=f"There is no idea #{secret.id} that you can see."):
        merge(app, a, secret.id, cast.expert)
    assert fresh(app, a).status == "new" and fresh(app, secret).vote_count == 0


def test_outsiders_cannot_merge_or_unmerge_in_a_private_space(
    app, client, cast, login, create_space, create_idea, space_owner
):
    board = create_space("Board", visibility="private")
    a = create_idea(board, space_owner)
    b = create_idea(board, space_owner)
    login(client, cast.outsider)
    assert (
        client.submit(
            f"/ideas/{a.id}/merge", {"merge_into": str(b.id), "merge_response": "x"}
        ).status_code
        == 404
    )
    assert client.submit(f"/ideas/{a.id}/unmerge", {}).status_code == 404
    assert client.submit(f"/ideas/{a.id}/delete", {}).status_code == 404
    assert fresh(app, a).status == "new"


def test_merge_and_unmerge_need_csrf(app, client, cast, login, duplicates):
    a, b, *_ = duplicates
    login(client, cast.expert)
    data = {"merge_into": str(b.id), "merge_response": "Dup"}
    assert client.post(f"/ideas/{a.id}/merge", data=data).status_code == 400
    merge(app, a, b.id, cast.expert)
    assert client.post(f"/ideas/{a.id}/unmerge", data={}).status_code == 400
    assert fresh(app, a).status == "merged"


# Votes and budgets when merging


def test_no_budget_overrun_when_votes_move_between_spaces(
    app, cast, create_space, create_idea, create_user, vote_for, set_budget
):
    other = create_space("Roadmap")
    set_budget(other, 1)
    a = create_idea(cast.space, cast.asker)
    b = create_idea(other, cast.owner)
    spent, free = create_user("spent"), create_user("free")
    vote_for(create_idea(other, cast.owner), spent)  # uses the one vote in "Roadmap"
    vote_for(a, spent)
    vote_for(a, free)
    merge(app, a, b.id, cast.owner)
    assert voters(app, b) == {free.id: a.id}
    assert fresh(app, b).vote_count == 1 and counts_are_exact(app)


def test_in_one_space_a_move_is_net_zero(app, cast, create_idea, vote_for, set_budget):
    set_budget(cast.space, 2)
    a, b, c = (create_idea(cast.space, cast.asker) for _ in range(3))
    vote_for(a, cast.member)
    vote_for(c, cast.member)  # the budget is spent
    merge(app, a, b.id, cast.expert)  # A's vote stops counting, so B's may be given
    assert voters(app, b) == {cast.member.id: a.id}
    with pytest.raises(OperationError, match="used all 2 of your votes"):
        vote_for(create_idea(cast.space, cast.asker), cast.member)


def test_only_those_who_may_vote_there_get_a_vote(
    app, cast, create_space, create_idea, create_user, add_member, vote_for
):
    restricted = create_space("Customers only", visibility="restricted")
    a = create_idea(cast.space, cast.asker)
    b = create_idea(restricted, cast.owner)
    member, stranger, banned = create_user("m"), create_user("s"), create_user("b")
    add_member(restricted, member)
    add_member(restricted, banned, state=MembershipState.BANNED)
    for person in (member, stranger, banned):
        vote_for(a, person)
    merge(app, a, b.id, cast.owner)
    assert voters(app, b) == {member.id: a.id}


def test_merging_into_a_closed_idea_moves_votes_regardless_of_budget(
    app, cast, create_idea, vote_for, set_budget
):
    a, b, c = (create_idea(cast.space, cast.asker) for _ in range(3))
    set_status(app, b, "shipped", cast.expert)
    set_budget(cast.space, 2)
    vote_for(a, cast.member)
    vote_for(c, cast.member)  # the budget is spent
    merge(app, a, b.id, cast.expert)  # votes on a shipped idea do not count against budgets
    assert voters(app, b) == {cast.member.id: a.id}


# Unmerging


def test_unmerge_restores_status_and_takes_back_exactly_the_moved_votes(
    app, client, cast, login, duplicates, create_user, vote_for
):
    a, b, only_a, both, only_b = duplicates
    set_status(app, a, "planned", cast.expert)
    merge(app, a, b.id, cast.expert)
    late = create_user("late")
    vote_for(b, late)  # cast on B after the merge: stays
    fired = []
    login(client, cast.expert)
    with signals.idea_unmerged.connected_to(
        lambda idea, **kw: fired.append((kw["into"].id, kw["removed"]))
    ):
        response = client.submit(
            f"/ideas/{a.id}/unmerge", {"unmerge_response": "Not the same after all."}
        )
    assert response.status_code == 302
    assert fired == [(b.id, 1)]
    restored = fresh(app, a)
    assert (restored.status, restored.merged_into_id) == ("planned", None)
    assert voters(app, a) == {only_a.id: None, both.id: None}
    assert voters(app, b) == {both.id: None, only_b.id: None, late.id: None}
    assert (fresh(app, a).vote_count, fresh(app, b).vote_count) == (2, 3)
    assert counts_are_exact(app)
    page = page_text(client.get(f"/ideas/{a.id}"))
    assert f"unmerged from #{b.id}" in page and "Not the same after all." in page
    assert "Merged here" not in page_text(client.get(f"/ideas/{b.id}"))
    with app.app_context():
        steps = db.session.scalars(
            select(IdeaStatusChange.to_status)
            .where(IdeaStatusChange.idea_id == a.id)
            .order_by(IdeaStatusChange.id)
        ).all()
    assert steps == ["planned", "merged", "planned"]
    runner = app.test_cli_runner()
    assert "Fixed 0" in runner.invoke(args=["ideas", "recount"]).output


def test_unmerge_refusals(app, client, cast, login, duplicates):
    a, b, *_ = duplicates
    with pytest.raises(OperationError, match="This idea is not merged."):
        unmerge(app, a, cast.expert)
    merge(app, a, b.id, cast.expert)
    with pytest.raises(OperationError, match="You may not unmerge this idea."):
        unmerge(app, a, cast.member)
    login(client, cast.member)
    assert client.submit(f"/ideas/{a.id}/unmerge", {}).status_code == 403
    assert fresh(app, a).status == "merged"


def test_hidden_other_idea_is_not_named(
    app, client, cast, create_space, create_idea, create_user, add_member, login
):
    board_owner = create_user("boardowner", role=Role.MODERATOR)
    board = create_space("Board", visibility="private", owner=board_owner)
    add_member(board, cast.owner, role=SpaceRole.MODERATOR)
    a = create_idea(cast.space, cast.asker, title="Public duplicate")
    b = create_idea(board, board_owner, title="Confidential original")
    merge(app, a, b.id, cast.owner)
    login(client, cast.member)
    page = page_text(client.get(f"/ideas/{a.id}"))
    assert "Merged into another idea." in page and "Confidential" not in page


# Deleting


def test_an_idea_others_were_merged_into_cannot_be_deleted(app, client, cast, login, duplicates):
    a, b, *_ = duplicates
    merge(app, a, b.id, cast.expert)
    login(client, cast.owner)
    refused = client.submit(f"/ideas/{b.id}/delete", {}, follow_redirects=True)
    assert "Other ideas were merged into this one, so it cannot be deleted." in page_text(refused)
    assert fresh(app, b).vote_count == 3
    unmerge(app, a, cast.expert)
    assert client.submit(f"/ideas/{b.id}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Idea, b.id) is None
        assert (
            db.session.scalar(select(func.count(IdeaVote.id)).where(IdeaVote.idea_id == b.id)) == 0
        )
    assert counts_are_exact(app)


def test_author_deletes_until_others_vote(
    app, client, cast, login, create_idea, create_user, vote_for
):
    idea = create_idea(cast.space, cast.asker, title="Typo idea")
    kept = create_idea(cast.space, cast.asker, title="Popular idea")
    vote_for(kept, cast.member)
    login(client, cast.asker)
    assert "Delete" not in page_text(client.get(f"/ideas/{kept.id}"))
    refused = client.submit(f"/ideas/{kept.id}/delete", {}, follow_redirects=True)
    assert "You may not delete this idea." in page_text(refused)
    assert fresh(app, kept).title == "Popular idea"
    fired = []
    with signals.idea_deleted.connected_to(lambda i, **kw: fired.append(i.id)):
        response = client.submit(f"/ideas/{idea.id}/delete", {})
    assert response.status_code == 302 and response.location == f"/s/{cast.space.slug}/ideas"
    assert fired == [idea.id]
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Thread, idea.thread_id).is_deleted
    data = client.get("/search/suggest?q=typo&kind=idea").json
    assert data["results"] == []


def test_moderators_delete_any_idea_and_a_merged_one_leaves_moved_votes(
    app, client, cast, login, duplicates
):
    a, b, only_a, *_ = duplicates
    merge(app, a, b.id, cast.expert)
    login(client, cast.owner)
    assert client.submit(f"/ideas/{a.id}/delete", {}).status_code == 302
    assert voters(app, b)[only_a.id] is None  # an ordinary vote on B now
    assert fresh(app, b).vote_count == 3 and counts_are_exact(app)


def test_space_counts_follow_a_deleted_idea(app, client, cast, login, create_idea):
    idea = create_idea(cast.space, cast.asker)
    with app.app_context():
        before = db.session.get(Space, cast.space.id).thread_count
    login(client, cast.owner)
    client.submit(f"/ideas/{idea.id}/delete", {})
    with app.app_context():
        assert db.session.get(Space, cast.space.id).thread_count == before - 1
