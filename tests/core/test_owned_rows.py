"""Rows a page loads by id together with what they must belong to (a space's invite or
membership, a product's release, an article's revision, one's own warning or session): another
one's id is the same 404 as a missing one, and changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.knowledge.models import ArticleRevision
from community.moderation import operations as moderation
from community.moderation.models import ModerationWarning
from community.permissions import Role
from community.spaces import operations as spaces
from community.spaces.models import Membership, MembershipState, SpaceInvite
from tests.fixtures.app import act


def test_a_space_page_refuses_another_spaces_invite_and_membership(
    app, client, create_space, create_user, login, space_owner
):
    mine, other = create_space("Mine"), create_space("Other", visibility="restricted")
    act(app, spaces.create_invite, other, by=space_owner)
    asker = create_user("asker")
    act(app, spaces.request_to_join, other, asker)
    with app.app_context():
        invite = db.session.scalar(select(SpaceInvite.id).where(SpaceInvite.space_id == other.id))
        pending = db.session.scalar(select(Membership.id).where(Membership.user_id == asker.id))
    login(client, space_owner)  # owns both spaces

    assert client.submit(f"/s/{mine.slug}/invites/{invite}/revoke").status_code == 404
    response = client.submit(
        f"/s/{mine.slug}/members/{pending}/decide", data={"decision": "approve"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(SpaceInvite, invite).revoked_at is None
        assert db.session.get(Membership, pending).state == MembershipState.PENDING


def test_a_product_page_refuses_another_products_release(
    client, login, site_admin, create_space, create_product, create_release
):
    space = create_space()
    first, second = create_product([space], name="First"), create_product([space], name="Second")
    release = create_release(second, "1.0")
    login(client, site_admin)
    assert client.get(f"/products/{second.slug}/releases/{release.id}/edit").status_code == 200
    assert client.get(f"/products/{first.slug}/releases/{release.id}/edit").status_code == 404


def test_an_article_page_refuses_another_articles_revision(
    app, client, create_article, cast, login
):
    one, other = create_article(cast.space, cast.owner), create_article(cast.space, cast.owner)
    with app.app_context():
        revision = db.session.scalar(
            select(ArticleRevision.id).where(ArticleRevision.article_id == other.id)
        )
    assert client.get(f"/kb/{other.id}/revisions/{revision}").status_code == 200
    assert client.get(f"/kb/{one.id}/revisions/{revision}").status_code == 404
    assert client.get(f"/kb/{one.id}/revisions/{revision + 1000}").status_code == 404


def test_nobody_acknowledges_anothers_warning(app, client, cast, create_user, login):
    moderator = create_user("mod", role=Role.MODERATOR)
    act(app, moderation.warn, cast.member, by=moderator, reason="Be kind.")
    with app.app_context():
        warning = db.session.scalar(select(ModerationWarning.id))
    login(client, cast.asker)
    assert client.submit(f"/warnings/{warning}/acknowledge").status_code == 404
    with app.app_context():
        assert db.session.get(ModerationWarning, warning).acknowledged_at is None
    owner = app.test_client()
    login(owner, cast.member)
    assert owner.submit(f"/warnings/{warning}/acknowledge").status_code == 302
