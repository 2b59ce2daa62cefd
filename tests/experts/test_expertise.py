"""Declaring, verifying and revoking expertise: the operations, their rules and their pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import signals
from community.accounts.models import User
from community.errors import OperationError
from community.experts import operations
from community.experts.models import Expertise
from community.extensions import db
from community.permissions import Role
from community.spaces.models import MembershipState, Space, SpaceRole
from tests.fixtures.app import page_text


def rows(app, user) -> dict[str, Expertise]:
    with app.app_context():
        found = db.session.scalars(select(Expertise).where(Expertise.user_id == user.id)).all()
        for row in found:
            db.session.expunge(row)
        return {row.tag: row for row in found}


def test_member_declares_tags_on_the_settings_page(app, client, cast, login):
    login(client, cast.member)
    page = client.get("/settings/expertise")
    assert page.status_code == 200
    assert "Your expertise" in page_text(page)
    response = client.submit("/settings/expertise", {"tags": "CT, #MRI, ct, Dose-Reduction"})
    assert response.status_code == 302
    assert sorted(rows(app, cast.member)) == ["ct", "dose-reduction", "mri"]
    assert not any(row.is_verified for row in rows(app, cast.member).values())
    profile = page_text(client.get(f"/u/{cast.member.username}"))
    assert "#ct" in profile and "not verified yet" in profile


def test_bad_tags_give_a_clear_message_and_change_nothing(app, client, cast, login, declare):
    declare(cast.member, "ct")
    login(client, cast.member)
    response = client.submit("/settings/expertise", {"tags": "a, b, c, d, e, f"})
    assert response.status_code == 200
    assert "Use at most 5 tags." in page_text(response)
    response = client.submit("/settings/expertise", {"tags": "ct, <script>"})
    assert "Tags use letters, digits" in page_text(response)
    assert list(rows(app, cast.member)) == ["ct"]


def test_declaring_needs_a_csrf_token(app, client, cast, login):
    login(client, cast.member)
    assert client.post("/settings/expertise", data={"tags": "ct"}).status_code == 400
    assert rows(app, cast.member) == {}


def test_moderator_verifies_a_member_of_their_space(app, client, cast, login, declare):
    declare(cast.member, "ct, mri")
    ct = rows(app, cast.member)["ct"]
    login(client, cast.owner)
    fired = []
    with signals.expertise_verified.connected_to(lambda user, **kw: fired.append(kw["space"].id)):
        response = client.submit(f"/expertise/{ct.id}/verify", {"space": cast.space.id})
    assert response.status_code == 302
    assert fired == [cast.space.id]
    row = rows(app, cast.member)["ct"]
    assert row.is_verified and row.verified_by_id == cast.owner.id
    assert row.verified_in_space_id == cast.space.id
    assert not rows(app, cast.member)["mri"].is_verified


def test_nobody_verifies_their_own_expertise(app, client, cast, create_user, login, declare):
    admin = create_user("root", role=Role.ADMIN)
    for user, space in ((admin, None), (cast.owner, cast.space)):
        declare(user, "ct")
        own = rows(app, user)["ct"]
        login(client, user)
        data = {"space": space.id} if space else {}
        response = client.submit(f"/expertise/{own.id}/verify", data, follow_redirects=True)
        assert "You cannot verify your own expertise." in page_text(response)
        assert not rows(app, user)["ct"].is_verified
        client.submit("/logout")


def test_moderator_of_another_space_is_refused(
    app, client, cast, create_space, create_user, add_member, login, declare
):
    other_mod = create_user("othermod")
    other = create_space("Other")
    add_member(other, other_mod, role=SpaceRole.MODERATOR)
    declare(cast.member, "ct")
    ct = rows(app, cast.member)["ct"]
    login(client, other_mod)
    # Verifying in a space they do not run…
    response = client.submit(
        f"/expertise/{ct.id}/verify", {"space": cast.space.id}, follow_redirects=True
    )
    assert "Only this space's moderators and owners" in page_text(response)
    # …or in their own space, for someone who is not a member there.
    response = client.submit(
        f"/expertise/{ct.id}/verify", {"space": other.id}, follow_redirects=True
    )
    assert "is not a member of this space" in page_text(response)
    # Site-wide verification is for admins.
    response = client.submit(f"/expertise/{ct.id}/verify", follow_redirects=True)
    assert "Only site admins verify expertise outside a space." in page_text(response)
    assert not rows(app, cast.member)["ct"].is_verified


def test_site_moderators_and_space_experts_do_not_verify(
    app, cast, create_user, add_member, declare
):
    site_mod = create_user("sitemod", role=Role.MODERATOR)
    declare(cast.member, "ct")
    with app.test_request_context():
        ct = db.session.scalar(select(Expertise).where(Expertise.user_id == cast.member.id))
        space = db.session.get(Space, cast.space.id)
        for by in (site_mod, cast.expert, cast.outsider):
            with pytest.raises(OperationError):
                operations.verify_expertise(ct, by=db.session.get(User, by.id), space=space)
        assert not ct.is_verified


def test_pending_or_banned_members_are_not_verified(app, cast, create_user, add_member, declare):
    pending = create_user("pending")
    add_member(cast.space, pending, state=MembershipState.PENDING)
    declare(pending, "ct")
    with app.test_request_context():
        ct = db.session.scalar(select(Expertise).where(Expertise.user_id == pending.id))
        with pytest.raises(OperationError, match="not a member"):
            operations.verify_expertise(
                ct,
                by=db.session.get(User, cast.owner.id),
                space=db.session.get(Space, cast.space.id),
            )


def test_admin_verifies_and_revokes_site_wide(app, client, cast, create_user, login, declare):
    admin = create_user("root", role=Role.ADMIN)
    declare(cast.member, "ct")
    ct = rows(app, cast.member)["ct"]
    login(client, admin)
    page = page_text(client.get(f"/u/{cast.member.username}"))
    assert "Verify" in page
    client.submit(f"/expertise/{ct.id}/verify")
    row = rows(app, cast.member)["ct"]
    assert row.is_verified and row.verified_in_space_id is None
    assert "verified by the site team" in page_text(client.get(f"/u/{cast.member.username}"))
    assert "already verified" in page_text(
        client.submit(f"/expertise/{ct.id}/verify", follow_redirects=True)
    )
    client.submit(f"/expertise/{ct.id}/revoke")
    assert not rows(app, cast.member)["ct"].is_verified


def test_revoking_is_for_admins_and_the_verifying_space(
    app, client, cast, create_user, create_space, add_member, login, declare, verify
):
    declare(cast.member, "ct")
    verify(cast.member, "ct", by=cast.owner, space=cast.space)
    ct = rows(app, cast.member)["ct"]
    other_mod = create_user("othermod")
    add_member(create_space("Other"), other_mod, role=SpaceRole.MODERATOR)
    for refused in (other_mod, cast.member, cast.expert):
        login(client, refused)
        response = client.submit(f"/expertise/{ct.id}/revoke", follow_redirects=True)
        assert "may revoke it" in page_text(response)
        assert rows(app, cast.member)["ct"].is_verified
        client.submit("/logout")
    login(client, cast.owner)
    client.submit(f"/expertise/{ct.id}/revoke", {"next": f"/s/{cast.space.slug}/members"})
    assert not rows(app, cast.member)["ct"].is_verified


def test_removing_a_tag_removes_its_verification(app, client, cast, login, declare, verify):
    declare(cast.member, "ct, mri")
    verify(cast.member, "ct", by=cast.owner, space=cast.space)
    login(client, cast.member)
    client.submit("/settings/expertise", {"tags": "mri"})
    assert list(rows(app, cast.member)) == ["mri"]
    client.submit("/settings/expertise", {"tags": "mri, ct"})
    assert not rows(app, cast.member)["ct"].is_verified


def test_verify_and_revoke_need_csrf_and_sign_in(app, client, cast, login, declare):
    declare(cast.member, "ct")
    ct = rows(app, cast.member)["ct"]
    assert client.submit(f"/expertise/{ct.id}/verify").status_code == 302  # to sign in
    login(client, cast.owner)
    assert (
        client.post(f"/expertise/{ct.id}/verify", data={"space": cast.space.id}).status_code == 400
    )
    assert client.submit("/expertise/999999/verify").status_code == 404
    assert not rows(app, cast.member)["ct"].is_verified


def test_nobody_changes_someone_elses_tags(app, cast):
    with app.test_request_context():
        member = db.session.get(User, cast.member.id)
        with pytest.raises(OperationError):
            operations.set_expertise(member, "ct", by=db.session.get(User, cast.owner.id))
        assert db.session.scalar(select(func.count(Expertise.id))) == 0


def test_badge_shows_next_to_answers_and_ideas(
    app, client, cast, login, declare, verify, create_thread, create_reply, create_idea
):
    declare(cast.expert, "ct, dose")
    verify(cast.expert, "ct", by=cast.owner, space=cast.space)
    thread = create_thread(cast.space, cast.asker)
    create_reply(thread, cast.expert)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'data-testid="expert-badge"' in page and "#ct" in page
    assert "#dose" not in page  # declared, not verified
    create_idea(cast.space, cast.expert)
    assert 'data-testid="expert-badge"' in client.get(f"/s/{cast.space.slug}/ideas").get_data(
        as_text=True
    )
    profile = page_text(client.get(f"/u/{cast.expert.username}"))
    assert "Expert" in profile and f"verified in {cast.space.name}" in profile


def test_a_space_role_alone_shows_no_expert_badge(client, cast):
    page = client.get(f"/u/{cast.expert.username}").get_data(as_text=True)
    assert 'data-testid="expert-badge"' not in page


def test_space_moderator_verifies_from_the_profile(app, client, cast, login, declare):
    declare(cast.member, "ct")
    login(client, cast.owner)
    page = page_text(client.get(f"/u/{cast.member.username}"))
    assert f"Verify in {cast.space.name}" in page
    # Not on their own profile, and not for someone outside their spaces.
    declare(cast.owner, "mri")
    assert "Verify in" not in page_text(client.get(f"/u/{cast.owner.username}"))
    declare(cast.outsider, "mri")
    assert "Verify" not in page_text(client.get(f"/u/{cast.outsider.username}"))


def test_a_verified_site_expert_shows_one_expert_badge(
    app, client, cast, create_user, declare, verify
):
    staff = create_user("staff", role=Role.EXPERT, display_name="Staff Expert")
    admin = create_user("root", role=Role.ADMIN)
    declare(staff, "ct")
    html = client.get(f"/u/{staff.username}").get_data(as_text=True)
    assert "role-badge role-expert" in html  # the site role, until a tag is verified
    verify(staff, "ct", by=admin)
    html = client.get(f"/u/{staff.username}").get_data(as_text=True)
    assert "role-badge role-expert" not in html and 'data-testid="expert-badge"' in html


def test_a_tag_saved_meanwhile_is_refused_clearly(app, cast, monkeypatch):
    with app.test_request_context():
        member = db.session.get(User, cast.member.id)
        # Another request saved "ct" after this one read the declared tags (none).
        db.session.add(Expertise(user_id=member.id, tag="ct"))
        db.session.flush()
        read = db.session.scalars
        monkeypatch.setattr(db.session, "scalars", lambda stmt: read(stmt.where(False)))
        with pytest.raises(OperationError, match="changed meanwhile"):
            operations.set_expertise(member, "ct", by=member)


def test_bad_verify_input_changes_nothing(app, client, cast, login, declare, expertise_row):
    declare(cast.member, "ct")
    row = expertise_row(cast.member, "ct")
    login(client, cast.owner)
    response = client.submit(
        f"/expertise/{row.id}/verify", {"space": "not-a-number"}, follow_redirects=True
    )
    assert "That request was not understood." in page_text(response)
    assert client.submit(f"/expertise/{row.id}/verify", {"space": 99999}).status_code == 404
    assert not expertise_row(cast.member, "ct").is_verified
