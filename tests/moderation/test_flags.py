"""Flags: the threshold, trusted flaggers, one flag per member, and what may be flagged."""

from __future__ import annotations

import pytest

from community.errors import OperationError
from tests.fixtures.app import page_text


def test_three_members_flags_hide_a_reply(
    cast, flaggers, create_thread, create_reply, flag, hidden, audit
):
    thread = create_thread(cast.space, cast.asker)
    reply = create_reply(thread, cast.member)
    flag(reply, flaggers[0])
    flag(reply, flaggers[1], reason="abuse")
    assert not hidden(reply)
    flag(reply, flaggers[2], reason="abuse")
    assert hidden(reply)
    [event] = audit("hide")
    assert event.actor_id is None and event.target_type == "post" and event.target_id == reply.id
    assert event.before["hidden"] is False and event.after["hidden"] is True
    assert event.target_user_id == cast.member.id


@pytest.mark.parametrize("app_config", [{"FLAG_HIDE_THRESHOLD": 2}])
def test_the_threshold_is_configurable(cast, flaggers, create_thread, flag, hidden):
    thread = create_thread(cast.space, cast.asker)
    flag(thread, flaggers[0])
    assert not hidden(thread)
    flag(thread, flaggers[1])
    assert hidden(thread)


def test_a_moderators_flag_hides_at_once(cast, space_mod, create_thread, flag, hidden, audit):
    thread = create_thread(cast.space, cast.asker)
    flag(thread, space_mod, reason="off_topic")
    assert hidden(thread)
    assert audit("hide")[0].actor_id == space_mod.id


def test_a_site_moderators_flag_hides_at_once(cast, create_user, create_thread, flag, hidden):
    from community.permissions import Role

    site_mod = create_user("sam", role=Role.MODERATOR)
    thread = create_thread(cast.space, cast.asker)
    flag(thread, site_mod)
    assert hidden(thread)


def test_one_flag_per_member(cast, flaggers, create_thread, flag, case_of):
    thread = create_thread(cast.space, cast.asker)
    case_id = flag(thread, flaggers[0])
    with pytest.raises(OperationError, match="already flagged"):
        flag(thread, flaggers[0], reason="abuse")
    assert case_of(case_id).flag_count == 1


def test_no_one_flags_their_own_post(cast, create_thread, flag):
    thread = create_thread(cast.space, cast.asker)
    with pytest.raises(OperationError):
        flag(thread, cast.asker)


def test_unreadable_content_cannot_be_flagged(
    app, cast, create_space, create_user, add_member, create_thread, flag, client, login
):
    private = create_space("Secret lab", visibility="private")
    insider = create_user("insider")
    add_member(private, insider)
    thread = create_thread(private, insider)
    with pytest.raises(OperationError):
        flag(thread, cast.outsider)
    login(client, cast.outsider)
    assert client.get(f"/flag/thread/{thread.id}").status_code == 404
    response = client.submit(f"/flag/thread/{thread.id}", {"reason": "spam"})
    assert response.status_code == 404


def test_flagging_through_the_page(client, login, cast, create_thread, case_of, app):
    from community.extensions import db
    from community.moderation.models import Flag, ModerationCase

    thread = create_thread(cast.space, cast.asker, title="Cheap watches here")
    login(client, cast.member)
    page = client.get(f"/t/{thread.id}")
    assert f"/flag/thread/{thread.id}" in page.get_data(as_text=True)
    response = client.submit(f"/flag/thread/{thread.id}", {"reason": "spam", "note": "ads"})
    assert response.status_code == 302
    assert "moderators will take a look" in page_text(client.get(response.location))
    with app.app_context():
        case = db.session.scalar(db.select(ModerationCase))
        assert case.reasons == {"spam": 1} and case.notes == ["ads"]
        assert db.session.scalar(db.select(db.func.count(Flag.id))) == 1


def test_a_flag_needs_a_reason_and_a_token(client, login, cast, create_thread, app):
    from community.extensions import db
    from community.moderation.models import Flag

    thread = create_thread(cast.space, cast.asker)
    login(client, cast.member)
    response = client.submit(f"/flag/thread/{thread.id}", {"note": "no reason"})
    assert response.status_code == 200
    assert "Choose why you are flagging this." in page_text(response)
    response = client.submit(f"/flag/thread/{thread.id}", {"reason": "nonsense"})
    assert response.status_code == 200
    response = client.post(f"/flag/thread/{thread.id}", data={"reason": "spam"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Flag.id))) == 0


def test_profiles_and_ideas_can_be_flagged(cast, flaggers, create_idea, flag, hidden, case_of):
    idea = create_idea(cast.space, cast.asker)
    for user in flaggers:
        flag(idea, user)
    assert hidden(idea)
    case_id = flag(cast.asker, cast.member, reason="abuse")
    case = case_of(case_id)
    assert case.target_type == "user" and case.space_id is None and case.flag_count == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, create_thread):
    thread = create_thread(cast.space, cast.asker)
    response = client.get(f"/flag/thread/{thread.id}")
    assert response.status_code == 302 and "/login" in response.location
