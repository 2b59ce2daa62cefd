"""Flagged profiles: enough flags hide the bio (on the profile page and in search) pending
review; its owner and site moderators still see it; approval shows it again."""

from __future__ import annotations

from community.accounts.models import User
from community.extensions import db
from community.moderation.models import ModerationCase
from community.notifications.models import Notification
from community.search.service import search_service
from tests.fixtures.app import page_text

BIO = "Cheap replica watches at example.com"


def _with_bio(app, user) -> None:
    with app.test_request_context():
        from community.accounts import operations

        fresh = db.session.get(User, user.id)
        operations.update_profile(
            fresh,
            display_name=fresh.display_name,
            bio=BIO,
            organisation="",
            segment="",
            locale=None,
        )
        db.session.commit()


def _found(user) -> int:
    reader = db.session.get(User, user.id)
    return len(search_service().search(reader, text="replica", kinds=("person",)).hits)


def test_three_flags_hide_a_bio_until_approved(
    app, client, login, cast, flaggers, flag, hidden, audit, create_user, approve
):
    from community.permissions import Role

    _with_bio(app, cast.asker)
    for flagger in flaggers[:2]:
        flag(cast.asker, flagger, reason="spam")
    assert not hidden(cast.asker)
    case_id = flag(cast.asker, flaggers[2], reason="spam")
    assert hidden(cast.asker)
    [event] = audit("hide")
    assert event.target_type == "user" and event.after["hidden"] is True

    login(client, cast.member)
    page = page_text(client.get(f"/u/{cast.asker.username}"))
    assert BIO not in page and "hidden while moderators review it" in page
    with app.app_context():
        assert _found(cast.member) == 0

    client = app.test_client()
    login(client, cast.asker)  # the owner sees it, marked, and was told
    page = page_text(client.get(f"/u/{cast.asker.username}"))
    assert BIO in page and "Hidden pending review" in page
    assert "the bio on your profile" in page_text(client.get("/notifications"))

    site_mod = create_user("sam", role=Role.MODERATOR)
    client = app.test_client()
    login(client, site_mod)
    assert BIO in page_text(client.get(f"/u/{cast.asker.username}"))
    response = approve(client, case_id, "A real bio")
    assert response.status_code == 302
    assert not hidden(cast.asker)
    with app.app_context():
        assert db.session.get(ModerationCase, case_id).flag_count == 0
        assert _found(cast.member) == 1
        assert db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.user_id == cast.asker.id, Notification.kind == "moderation_decision"
            )
        ) == 2  # fmt: skip
    client = app.test_client()
    login(client, cast.member)
    assert BIO in page_text(client.get(f"/u/{cast.asker.username}"))


def test_a_site_moderator_hides_a_bio_from_the_queue(app, login, cast, flag, hidden, create_user):
    from community.permissions import Role

    _with_bio(app, cast.asker)
    case_id = flag(cast.asker, cast.member, reason="abuse")
    site_mod = create_user("sam", role=Role.MODERATOR)
    client = app.test_client()
    login(client, site_mod)
    assert "Hide" in page_text(client.get(f"/moderation/cases/{case_id}"))
    refused = client.submit(f"/moderation/cases/{case_id}/hide", {"reason": ""})
    assert refused.status_code in (302, 400) and not hidden(cast.asker)
    client.submit(f"/moderation/cases/{case_id}/hide", {"reason": "Advertising"})
    assert hidden(cast.asker)
