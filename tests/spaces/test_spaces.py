"""Spaces: creating, visibility, joining, requests, invites, roles, bans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.permissions import Role
from community.spaces.models import Membership, MembershipState, Space, SpaceRole
from tests.fixtures.app import page_text

NEW_SPACE = {
    "name": "Imaging Workflows",
    "slug": "imaging",
    "description": "Calibration and uptime.",
    "tags": "radiology, Calibration",
    "visibility": "public",
}


def membership(app, space, user):
    with app.app_context():
        return db.session.scalar(
            select(Membership).where(Membership.space_id == space.id, Membership.user_id == user.id)
        )


def space_row(app, space_id):
    with app.app_context():
        row = db.session.get(Space, space_id)
        db.session.expunge(row)
        return row


# Creating and editing


def test_moderator_creates_a_space_and_owns_it(app, client, create_user, login):
    mod = create_user(role=Role.MODERATOR)
    login(client, mod)
    response = client.submit("/spaces/new", NEW_SPACE)
    assert response.status_code == 302 and response.location == "/s/imaging"
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.slug == "imaging"))
        assert space.tag_names == ["calibration", "radiology"] and space.member_count == 1
    assert membership(app, space, mod).role == "owner"
    assert "Imaging Workflows" in page_text(client.get("/s/imaging"))


def test_who_may_create_spaces_is_a_site_setting(app, client, create_user, login):
    member = create_user()
    login(client, member)
    assert client.get("/spaces/new").status_code == 403
    assert client.submit("/spaces/new", NEW_SPACE).status_code == 403
    client.submit("/logout")
    login(client, create_user(role=Role.ADMIN))
    assert client.submit("/admin/settings", {"space_creation_role": "member"}).status_code == 302
    assert client.submit("/admin/settings", {"space_creation_role": "emperor"}).status_code == 200
    client.submit("/logout")
    login(client, member)
    assert client.submit("/spaces/new", NEW_SPACE).status_code == 302


def test_site_settings_are_for_admins_only(client, create_user, login):
    login(client, create_user(role=Role.MODERATOR))
    assert client.get("/admin/settings").status_code == 403
    assert client.submit("/admin/settings", {"space_creation_role": "member"}).status_code == 403


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 81}, "80"),
        ({"slug": "Bad Slug!"}, "lower-case letters"),
        ({"slug": "new"}, "lower-case letters"),
        ({"tags": "a, b, c, d, e, f"}, "at most 5 tags"),
        ({"tags": "<script>"}, "Tags use letters"),
        ({"visibility": "secret"}, "Not a valid choice."),
        ({"description": "d" * 2001}, "2000"),
    ],
)
def test_space_form_refusals_change_nothing(app, client, create_user, login, changes, message):
    login(client, create_user(role=Role.MODERATOR))
    response = client.submit("/spaces/new", {**NEW_SPACE, **changes})
    assert response.status_code == 200
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Space.id))) == 0


def test_duplicate_address_is_refused(app, client, create_space, create_user, login):
    taken = create_space(name="Taken")
    login(client, create_user(role=Role.MODERATOR))
    response = client.submit("/spaces/new", {**NEW_SPACE, "slug": taken.slug})
    assert response.status_code == 200
    assert "Another space already uses that address." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Space.id))) == 1


def test_chinese_name_gets_a_usable_address(app, client, create_user, login):
    login(client, create_user(role=Role.MODERATOR))
    response = client.submit("/spaces/new", {**NEW_SPACE, "name": "家居共创社区", "slug": ""})
    assert response.status_code == 302 and response.location.startswith("/s/space-")
    assert "家居共创社区" in page_text(client.get(response.location))


def test_owner_edits_settings_others_cannot(
    app, client, create_space, space_owner, create_user, login, add_member
):
    space = create_space()
    member = create_user()
    add_member(space, member)
    login(client, member)
    assert client.get(f"/s/{space.slug}/settings").status_code == 403
    client.submit("/logout")
    login(client, space_owner)
    response = client.submit(
        f"/s/{space.slug}/settings", {**NEW_SPACE, "slug": space.slug, "visibility": "restricted"}
    )
    assert response.status_code == 302
    assert space_row(app, space.id).visibility == "restricted"


# Visibility


def test_private_space_is_invisible_to_outsiders(
    app, client, create_space, create_user, login, add_member, create_thread, space_owner
):
    space = create_space("Advisory Board", visibility="private", description="CANARY-PRIVATE")
    thread = create_thread(space, space_owner, title="Secret roadmap")
    urls = [
        f"/s/{space.slug}",
        f"/s/{space.slug}/members",
        f"/s/{space.slug}/about",
        f"/s/{space.slug}/settings",
        f"/s/{space.slug}/new",
        f"/t/{thread.id}",
    ]

    def assert_hidden(c):
        for url in urls:
            response = c.get(url)
            text = page_text(response)
            assert "Advisory" not in text and "Secret roadmap" not in text, url
            if response.status_code == 302:  # sign-in pages ask first, as for a missing space
                assert c.get(url.replace(space.slug, "no-such-space")).status_code in (302, 404)
            else:
                assert response.status_code == 404 and "Page not found" in text, url
        listing = page_text(c.get("/spaces"))
        assert "Advisory Board" not in listing and "CANARY" not in listing
        assert "Advisory Board" not in page_text(c.get("/spaces?q=advisory&partial=1"))

    assert_hidden(client)  # anonymous
    outsider = create_user("outsider")
    login(client, outsider)
    assert_hidden(client)
    client.submit("/logout")
    pending = create_user("pending")
    add_member(space, pending, state=MembershipState.PENDING)
    login(client, pending)
    assert_hidden(client)
    client.submit("/logout")
    banned = create_user("banned")
    add_member(space, banned, state=MembershipState.BANNED)
    login(client, banned)
    assert_hidden(client)
    client.submit("/logout")

    insider = create_user("insider")
    add_member(space, insider)
    login(client, insider)
    assert client.get(f"/s/{space.slug}").status_code == 200
    assert "Secret roadmap" in page_text(client.get(f"/s/{space.slug}"))
    assert "Advisory Board" in page_text(client.get("/spaces"))


def test_site_admin_sees_private_spaces(client, create_space, create_user, login):
    space = create_space("Hidden", visibility="private")
    login(client, create_user(role=Role.ADMIN))
    assert client.get(f"/s/{space.slug}").status_code == 200


def test_restricted_space_is_readable_by_anyone(client, create_space, create_thread, space_owner):
    space = create_space("Partners", visibility="restricted")
    thread = create_thread(space, space_owner, title="Render farm sizing")
    assert client.get(f"/s/{space.slug}").status_code == 200
    assert "Render farm sizing" in page_text(client.get(f"/t/{thread.id}"))


# Joining, requests, leaving


def test_join_public_space_in_one_click(app, client, create_space, create_user, login):
    space = create_space()
    user = create_user()
    login(client, user)
    assert client.submit(f"/s/{space.slug}/join").status_code == 302
    assert membership(app, space, user).state == "active"
    assert space_row(app, space.id).member_count == 2
    again = client.submit(f"/s/{space.slug}/join", follow_redirects=True)
    assert "already in this space" in page_text(again)
    assert space_row(app, space.id).member_count == 2


def test_join_needs_sign_in_and_csrf(app, client, create_space):
    space = create_space()
    assert client.submit(f"/s/{space.slug}/join").status_code == 302  # to the login page
    assert client.post(f"/s/{space.slug}/join").status_code == 400
    assert space_row(app, space.id).member_count == 1


def test_restricted_space_needs_a_request_and_approval(
    app, client, create_space, create_user, login, space_owner
):
    space = create_space(visibility="restricted")
    user = create_user("asker")
    login(client, user)
    refused = client.submit(f"/s/{space.slug}/join", follow_redirects=True)
    assert "needs a request or an invite" in page_text(refused)
    assert membership(app, space, user) is None
    client.submit(f"/s/{space.slug}/request", {"note": "I run a render farm."})
    pending = membership(app, space, user)
    assert pending.state == "pending"
    assert client.get(f"/s/{space.slug}/new").status_code == 302  # may not write yet
    # A plain member cannot approve; the owner can.
    assert (
        client.submit(
            f"/s/{space.slug}/members/{pending.id}/decide", {"decision": "approve"}
        ).status_code
        == 302
    )
    assert membership(app, space, user).state == "pending"
    client.submit("/logout")
    login(client, space_owner)
    queue = page_text(client.get(f"/s/{space.slug}/members?state=pending"))
    assert "I run a render farm." in queue
    client.submit(f"/s/{space.slug}/members/{pending.id}/decide", {"decision": "approve"})
    assert membership(app, space, user).state == "active"
    assert space_row(app, space.id).member_count == 2


def test_declined_request_is_removed(
    app, client, create_space, create_user, login, add_member, space_owner
):
    space = create_space(visibility="restricted")
    user = create_user()
    pending = add_member(space, user, state=MembershipState.PENDING)
    login(client, space_owner)
    client.submit(f"/s/{space.slug}/members/{pending.id}/decide", {"decision": "decline"})
    assert membership(app, space, user) is None


def test_non_moderators_do_not_see_request_queue(
    client, create_space, create_user, login, add_member
):
    space = create_space(visibility="restricted")
    add_member(space, create_user("waiting"), state=MembershipState.PENDING)
    member = create_user()
    add_member(space, member)
    login(client, member)
    assert "@waiting" not in client.get(f"/s/{space.slug}/members?state=pending").get_data(
        as_text=True
    )


def test_leave_and_last_owner_cannot_leave(
    app, client, create_space, create_user, login, add_member, space_owner
):
    space = create_space()
    user = create_user()
    add_member(space, user)
    login(client, user)
    client.submit(f"/s/{space.slug}/leave")
    assert membership(app, space, user) is None
    assert space_row(app, space.id).member_count == 1
    client.submit("/logout")
    login(client, space_owner)
    response = client.submit(f"/s/{space.slug}/leave", follow_redirects=True)
    assert "Make someone else an owner" in page_text(response)
    assert membership(app, space, space_owner).role == "owner"


# Invites


def make_invite(client, space, **data) -> str:
    response = client.submit(f"/s/{space.slug}/invites", {"days": "7", **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location.split("invite=")[1]


def test_invite_link_admits_to_a_private_space(
    app, client, create_space, create_user, login, space_owner
):
    space = create_space("Board", visibility="private")
    login(client, space_owner)
    token = make_invite(client, space)
    client.submit("/logout")
    guest = create_user()
    login(client, guest)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "Board" in page_text(page)
    assert client.submit(f"/invite/{token}").status_code == 302
    assert membership(app, space, guest).state == "active"
    assert client.get(f"/s/{space.slug}").status_code == 200


def test_invite_that_needs_approval_creates_a_request(
    app, client, create_space, create_user, login, space_owner
):
    space = create_space(visibility="private")
    login(client, space_owner)
    token = make_invite(client, space, requires_approval="y")
    client.submit("/logout")
    guest = create_user()
    login(client, guest)
    client.submit(f"/invite/{token}")
    assert membership(app, space, guest).state == "pending"
    assert client.get(f"/s/{space.slug}").status_code == 404


def test_bad_expired_and_revoked_invites(
    app, client, create_space, create_user, login, space_owner
):
    from community.spaces.models import SpaceInvite

    space = create_space(visibility="private")
    login(client, space_owner)
    token = make_invite(client, space)
    second = make_invite(client, space)
    assert client.submit(f"/s/{space.slug}/invites", {"days": "365"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(SpaceInvite.id))) == 2
        invites = db.session.scalars(select(SpaceInvite).order_by(SpaceInvite.id)).all()
        invites[0].expires_at = invites[0].created_at - timedelta(seconds=1)
        db.session.commit()
        second_id = invites[1].id
    client.submit(f"/s/{space.slug}/invites/{second_id}/revoke")
    client.submit("/logout")
    guest = create_user()
    login(client, guest)
    for bad in (token, second, "not-a-token"):
        assert client.get(f"/invite/{bad}").status_code == 404
        client.submit(f"/invite/{bad}")
    assert membership(app, space, guest) is None


def test_members_cannot_make_invites(app, client, create_space, create_user, login, add_member):
    space = create_space(visibility="private")
    member = create_user()
    add_member(space, member)
    login(client, member)
    response = client.submit(f"/s/{space.slug}/invites", {"days": "7"}, follow_redirects=True)
    assert "You may not do that here." in page_text(response)


# Roles and bans


def test_space_roles(app, client, create_space, create_user, login, add_member, space_owner):
    space = create_space()
    mod, member = create_user("mod"), create_user("mem")
    add_member(space, mod, role=SpaceRole.MODERATOR)
    target = add_member(space, member)
    login(client, mod)
    client.submit(f"/s/{space.slug}/members/{target.id}/role", {"role": "expert"})
    assert membership(app, space, member).role == "expert"
    refused = client.submit(
        f"/s/{space.slug}/members/{target.id}/role", {"role": "moderator"}, follow_redirects=True
    )
    assert "You may not do that here." in page_text(refused)
    assert membership(app, space, member).role == "expert"
    client.submit("/logout")
    login(client, space_owner)
    client.submit(f"/s/{space.slug}/members/{target.id}/role", {"role": "moderator"})
    assert membership(app, space, member).role == "moderator"


def test_ban_stops_writing_and_hides_private_spaces(
    app, client, create_space, create_user, login, add_member, space_owner, create_thread
):
    space = create_space(visibility="private")
    troll = create_user("troll")
    add_member(space, troll)
    thread = create_thread(space, space_owner)
    login(client, space_owner)
    assert (
        client.submit(f"/s/{space.slug}/members/{troll.id}/ban", {"reason": ""}).status_code == 302
    )
    assert membership(app, space, troll).state == "active"
    past = (date.today() - timedelta(days=2)).isoformat()
    client.submit(f"/s/{space.slug}/members/{troll.id}/ban", {"reason": "spam", "until": past})
    assert membership(app, space, troll).state == "active"
    client.submit(f"/s/{space.slug}/members/{troll.id}/ban", {"reason": "spam"})
    banned = membership(app, space, troll)
    assert banned.state == "banned" and space_row(app, space.id).member_count == 1
    client.submit("/logout")
    login(client, troll)
    assert client.get(f"/s/{space.slug}").status_code == 404
    assert client.submit(f"/t/{thread.id}/reply", {"body": "hi"}).status_code == 404
    assert client.submit(f"/s/{space.slug}/join").status_code == 404
    client.submit("/logout")
    login(client, space_owner)
    client.submit(f"/s/{space.slug}/members/{banned.id}/unban")
    assert membership(app, space, troll) is None


def test_banned_from_public_space_can_read_but_not_write_or_rejoin(
    app, client, create_space, create_user, login, add_member, space_owner, create_thread
):
    space = create_space()
    troll = create_user("troll")
    add_member(space, troll)
    thread = create_thread(space, space_owner, title="Open thread")
    login(client, space_owner)
    client.submit(f"/s/{space.slug}/members/{troll.id}/ban", {"reason": "spam"})
    client.submit("/logout")
    login(client, troll)
    assert client.get(f"/t/{thread.id}").status_code == 200
    client.submit(f"/t/{thread.id}/reply", {"body": "still here"})
    client.submit(f"/s/{space.slug}/new", {"kind": "question", "title": "x", "body": "y"})
    rejoin = client.submit(f"/s/{space.slug}/join", follow_redirects=True)
    assert "banned" in page_text(rejoin)
    with app.app_context():
        from community.forums.models import Post, Thread

        assert db.session.scalar(select(func.count(Post.id))) == 1
        assert db.session.scalar(select(func.count(Thread.id))) == 1


def test_moderators_cannot_ban_each_other(
    app, client, create_space, create_user, login, add_member
):
    space = create_space()
    first, second = create_user("m1"), create_user("m2")
    add_member(space, first, role=SpaceRole.MODERATOR)
    add_member(space, second, role=SpaceRole.MODERATOR)
    login(client, first)
    response = client.submit(
        f"/s/{space.slug}/members/{second.id}/ban", {"reason": "x"}, follow_redirects=True
    )
    assert "Only owners can ban moderators." in page_text(response)
    assert membership(app, space, second).state == "active"


def test_expired_ban_lets_people_back(app, client, create_space, create_user, login, add_member):
    from community.database import utcnow

    space = create_space()
    user = create_user()
    add_member(space, user, state=MembershipState.BANNED)
    with app.app_context():
        row = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        row.banned_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    login(client, user)
    client.submit(f"/s/{space.slug}/join")
    assert membership(app, space, user).state == "active"
