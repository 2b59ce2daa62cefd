"""The moderation queues and their actions: each needs a reason and is audited with the item
before and after; only the right people may act; flaggers stay anonymous."""

from __future__ import annotations

import pytest

from community.errors import OperationError
from community.extensions import db
from community.forums.models import Post, Thread
from community.moderation.models import ModerationWarning
from community.spaces.models import Membership
from tests.fixtures.app import page_text


@pytest.fixture
def flagged(cast, flaggers, create_thread, create_reply, flag):
    """A reply flagged (and so hidden) by three members; returns (thread, reply, case id)."""
    thread = create_thread(cast.space, cast.asker, title="Detector calibration")
    reply = create_reply(thread, cast.member, body="Visit my shop for cheap detectors")
    case_id = None
    for user in flaggers:
        case_id = flag(reply, user, note="looks like an ad")
    return thread, reply, case_id


@pytest.fixture
def moderator(app, login, space_mod):
    client = app.test_client()
    login(client, space_mod)
    return client


def test_the_space_queue_lists_counts_and_reasons_but_not_flaggers(
    moderator, cast, flaggers, flagged
):
    _thread, _reply, case_id = flagged
    text = page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))
    assert "Detector calibration" in text and "3 flags" in text and "Spam × 3" in text
    case_page = page_text(moderator.get(f"/moderation/cases/{case_id}"))
    assert "looks like an ad" in case_page
    for user in flaggers:
        assert user.username not in case_page and user.display_name not in case_page


def test_approve_unhides_and_dismisses_flags(
    app, moderator, client, cast, flagged, hidden, audit, case_of, approve
):
    thread, reply, case_id = flagged
    assert hidden(reply)
    response = approve(moderator, case_id, "Not an ad")
    assert response.status_code == 302
    assert not hidden(reply)
    case = case_of(case_id)
    assert case.state == "closed" and case.flag_count == 0
    [event] = audit("approve")
    assert event.reason == "Not an ad" and event.before["hidden"] and not event.after["hidden"]
    assert "Visit my shop" in page_text(client.get(f"/t/{thread.id}"))
    assert "Nothing waiting" in page_text(moderator.get(f"/s/{cast.space.slug}/moderation"))


def test_every_action_needs_a_reason(moderator, flagged, hidden, audit):
    _thread, reply, case_id = flagged
    for action in ("approve", "hide", "delete", "lock", "warn"):
        response = moderator.submit(f"/moderation/cases/{case_id}/{action}", {"reason": "  "})
        assert response.status_code == 302
        page = page_text(moderator.get(response.location))
        assert "Give a reason" in page
    response = moderator.submit(f"/moderation/cases/{case_id}/ban", {"days": "3"})
    assert "Give a reason" in page_text(moderator.get(response.location))
    assert hidden(reply)
    assert [e.action for e in audit()] == ["hide"]


def test_actions_refuse_without_the_csrf_token(moderator, flagged, hidden):
    _thread, reply, case_id = flagged
    response = moderator.post(f"/moderation/cases/{case_id}/approve", data={"reason": "ok"})
    assert response.status_code == 400
    assert hidden(reply)


def test_delete_and_lock_are_audited_with_before_and_after(app, moderator, flagged, audit):
    thread, reply, case_id = flagged
    moderator.submit(f"/moderation/cases/{case_id}/lock", {"reason": "Heated"})
    moderator.submit(f"/moderation/cases/{case_id}/delete", {"reason": "Advertising"})
    with app.app_context():
        assert db.session.get(Thread, thread.id).locked
        assert db.session.get(Post, reply.id).is_deleted
    [lock] = audit("lock")
    assert lock.before["locked"] is False and lock.after["locked"] is True
    [delete] = audit("delete")  # the forum's own signal is not recorded a second time
    assert delete.reason == "Advertising"
    assert delete.before["body"] == "Visit my shop for cheap detectors"
    assert delete.after["deleted"] is True


def test_hide_from_the_queue(app, moderator, cast, flaggers, create_thread, flag, hidden, audit):
    thread = create_thread(cast.space, cast.asker)
    case_id = flag(thread, flaggers[0])
    assert not hidden(thread)
    moderator.submit(f"/moderation/cases/{case_id}/hide", {"reason": "Off-topic rant"})
    assert hidden(thread)
    assert audit("hide")[0].reason == "Off-topic rant"


def test_warnings_reach_the_author(app, moderator, login, cast, flagged, audit):
    from community import signals

    decided = []

    def told(sender, **kw):
        decided.append((kw["action"], kw["author"].id, kw["reason"]))

    _thread, _reply, case_id = flagged
    with signals.moderation_decided.connected_to(told):
        moderator.submit(f"/moderation/cases/{case_id}/warn", {"reason": "No advertising, please"})
    [event] = audit("warn")
    assert event.target_user_id == cast.member.id and event.space_id == cast.space.id
    assert decided == [("warn", cast.member.id, "No advertising, please")]
    author = app.test_client()
    login(author, cast.member)
    assert "1 warning" in page_text(author.get("/"))
    assert "No advertising, please" in page_text(author.get("/warnings"))
    with app.app_context():
        [warning_id] = db.session.scalars(db.select(ModerationWarning.id))
    response = author.submit(f"/warnings/{warning_id}/acknowledge")
    assert response.status_code == 302
    assert "1 warning" not in page_text(author.get("/"))


def test_ban_from_the_space_for_days(app, moderator, cast, flagged, audit):
    _thread, _reply, case_id = flagged
    moderator.submit(f"/moderation/cases/{case_id}/ban", {"reason": "Spammer", "days": "7"})
    with app.app_context():
        membership = db.session.scalar(
            db.select(Membership).where(
                Membership.user_id == cast.member.id, Membership.space_id == cast.space.id
            )
        )
        assert membership.is_banned() and membership.banned_until is not None
    [event] = audit("ban")
    assert event.reason == "Spammer" and event.after["until"]


def test_members_cannot_see_queues_or_act(app, client, login, cast, flagged, approve):
    _thread, _reply, case_id = flagged
    login(client, cast.expert)
    assert client.get(f"/s/{cast.space.slug}/moderation").status_code == 403
    assert client.get("/moderation").status_code == 403
    assert client.get(f"/moderation/cases/{case_id}").status_code == 404
    response = approve(client, case_id, "mine now")
    assert response.status_code == 404
    assert client.get("/moderation/audit").status_code == 403


def test_moderators_of_another_space_cannot_act(
    app, login, cast, flagged, create_space, create_user, add_member, hidden, approve
):
    from community.spaces.models import SpaceRole

    _thread, reply, case_id = flagged
    elsewhere = create_space("Other place")
    other_mod = create_user("otto")
    add_member(elsewhere, other_mod, role=SpaceRole.MODERATOR)
    client = app.test_client()
    login(client, other_mod)
    assert client.get(f"/s/{cast.space.slug}/moderation").status_code == 403
    assert client.get(f"/s/{elsewhere.slug}/moderation").status_code == 200
    response = approve(client, case_id, "fine")
    assert response.status_code == 404
    assert hidden(reply)


def test_the_site_queue_for_site_moderators(app, login, cast, flagged, create_user):
    from community.permissions import Role

    site_mod = create_user("sid", role=Role.MODERATOR)
    client = app.test_client()
    login(client, site_mod)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/moderation"' in home
    assert "Detector calibration" in page_text(client.get("/moderation"))


def test_existing_moderator_actions_are_audited(app, cast, space_mod, create_thread, audit):
    from community.accounts.models import User
    from community.forums import operations as forums

    thread = create_thread(cast.space, cast.asker)
    with app.test_request_context():
        mod = db.session.get(User, space_mod.id)
        fresh = db.session.get(Thread, thread.id)
        forums.set_pinned(fresh, True, by=mod)
        forums.set_locked(fresh, True, by=mod)
        opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
        with pytest.raises(OperationError, match="Give a reason"):
            forums.edit_post(opening, by=mod, body="Edited by a moderator")
        forums.edit_post(opening, by=mod, body="Edited by a moderator", reason="Phone number")
        db.session.commit()
    assert [e.action for e in audit()] == ["pin", "lock", "edit"]
    edit = audit("edit")[0]
    assert edit.reason == "Phone number"
    assert edit.before["body"] == "How do I calibrate the detector?"
    assert edit.after["body"] == "Edited by a moderator"
    assert edit.target_user_id == cast.asker.id


def test_the_audit_log_filters_for_admins(
    app, login, admin, moderator, cast, flagged, audit, approve
):
    _thread, _reply, case_id = flagged
    approve(moderator, case_id, "Fine after all")
    client = app.test_client()
    login(client, admin)
    text = page_text(client.get("/moderation/audit"))
    assert "Fine after all" in text and "Hidden automatically after 3 flags." in text
    only = page_text(client.get("/moderation/audit?action=approve"))
    assert "Fine after all" in only and "Hidden automatically" not in only
    by_actor = page_text(client.get("/moderation/audit?actor=mona"))
    assert "Fine after all" in by_actor and "Hidden automatically" not in by_actor
    about = page_text(client.get(f"/moderation/audit?target={cast.member.username}"))
    assert "Fine after all" in about
    assert "Fine after all" not in page_text(client.get("/moderation/audit?space=nowhere"))
    assert "Fine after all" in page_text(client.get(f"/moderation/audit?space={cast.space.slug}"))
    assert "Fine after all" not in page_text(client.get("/moderation/audit?until=2000-01-01"))
    assert "Fine after all" in page_text(client.get("/moderation/audit?since=2000-01-01"))


def test_edit_and_move_from_a_case_record_their_reason(
    app, moderator, cast, space_mod, flagged, audit, create_space, add_member
):
    from community.spaces.models import SpaceRole

    thread, reply, case_id = flagged
    page = page_text(moderator.get(f"/moderation/cases/{case_id}"))
    assert "Edit the post" in page
    form = page_text(moderator.get(f"/posts/{reply.id}/edit"))
    assert "Why are you editing this post?" in form
    unsaid = moderator.submit(f"/posts/{reply.id}/edit", {"body": "[link removed]"})
    assert unsaid.status_code == 200 and "Give a reason" in page_text(unsaid)
    assert audit("edit") == []
    said = moderator.submit(
        f"/posts/{reply.id}/edit", {"body": "[link removed]", "reason": "Advertising link"}
    )
    assert said.status_code == 302
    [edit] = audit("edit")
    assert edit.reason == "Advertising link" and edit.after["body"] == "[link removed]"
    assert edit.before["body"] == "Visit my shop for cheap detectors"

    elsewhere = create_space("Detectors")
    add_member(elsewhere, space_mod, role=SpaceRole.MODERATOR)
    moved = moderator.submit(
        f"/t/{thread.id}/move", {"space": elsewhere.slug, "reason": "Hardware question"}
    )
    assert moved.status_code == 302
    [move] = audit("move")
    assert move.reason == "Hardware question" and move.after == {"space": elsewhere.slug}
