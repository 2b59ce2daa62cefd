"""Every change to spaces: create and edit them, and manage who is in them.

Operations check the rule with the guardian, change rows, flush and send a signal; the
caller commits. Counters change with SQL increments so concurrent joins stay right.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community import signals
from community.accounts.models import User
from community.database import utcnow
from community.errors import OperationError
from community.extensions import db
from community.permissions import guardian
from community.spaces.models import (
    VOTE_BUDGET_MAX,
    Membership,
    MembershipState,
    Space,
    SpaceInvite,
    SpaceRole,
    SpaceTag,
    Visibility,
)
from community.spaces.permissions import membership_of, remember_membership
from community.text.tags import parse_tags

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
RESERVED_SLUGS = {"new", "mine", "admin", "api", "static"}


def slugify(name: str) -> str:
    """An ASCII slug from ``name``; empty when the name has no Latin letters or digits."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")


def _unique_slug(wanted: str, exclude: Space | None = None) -> str:
    stmt = select(Space.id).where(Space.slug == wanted)
    if exclude is not None:
        stmt = stmt.where(Space.id != exclude.id)
    if db.session.scalar(stmt) is not None:
        raise OperationError(_("Another space already uses that address."), field="slug")
    return wanted


def _clean_fields(name: str, slug: str, description: str, visibility: str) -> tuple[str, str, str]:
    name = name.strip()
    if not name:
        raise OperationError(_("Give the space a name."), field="name")
    if len(name) > 80:
        raise OperationError(_("A name may have at most %(count)d characters.", count=80), "name")
    if visibility not in {v.value for v in Visibility}:
        raise OperationError(_("Choose a visibility from the list."), field="visibility")
    if len(description) > 2000:
        raise OperationError(
            _("A description may have at most %(count)d characters.", count=2000), "description"
        )
    slug = (slug or "").strip().lower() or slugify(name) or f"space-{secrets.token_hex(3)}"
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise OperationError(
            _("Use lower-case letters, digits and hyphens for the address."), field="slug"
        )
    return name, slug, description.strip()


def _set_tags(space: Space, tags: list[str]) -> None:
    space.tags = [SpaceTag(tag=tag) for tag in tags]


def create_space(
    *,
    name: str,
    description: str,
    visibility: str,
    tags: str | list[str],
    by: User,
    slug: str = "",
    expert_community: bool = False,
    content_language: str | None = None,
) -> Space:
    """Create a space; its creator becomes its owner. Its content is in ``content_language``
    (default: the site's default language)."""
    guardian.ensure(by, "space.create", message=_("You may not create spaces."))
    name, slug, description = _clean_fields(name, slug, description, visibility)
    language = _content_language(content_language)
    space = Space(
        name=name,
        slug=_unique_slug(slug),
        description=description,
        visibility=visibility,
        created_by_id=by.id,
        member_count=1,
        expert_community=expert_community,
        content_language=language,
    )
    _set_tags(space, parse_tags(tags))
    db.session.add(space)
    db.session.flush()
    owner = Membership(space_id=space.id, user_id=by.id, role=SpaceRole.OWNER.value)
    db.session.add(owner)
    db.session.flush()
    remember_membership(by.id, space.id, owner)
    signals.space_created.send(space, by=by)
    return space


def update_space(
    space: Space,
    *,
    name: str,
    description: str,
    visibility: str,
    tags: str | list[str],
    slug: str,
    by: User,
    expert_community: bool | None = None,
    content_language: str | None = None,
) -> None:
    """Change a space's name, address, description, tags, visibility, content language or
    whether it is an expert community (owners)."""
    guardian.ensure(by, "space.manage", space)
    name, slug, description = _clean_fields(name, slug, description, visibility)
    if content_language is not None:
        space.content_language = _content_language(content_language)
    tag_list = parse_tags(tags)
    visibility_changed = space.visibility != visibility
    before = _described(space)
    space.name, space.description, space.visibility = name, description, visibility
    if expert_community is not None:
        space.expert_community = expert_community
    space.slug = _unique_slug(slug, exclude=space)
    _set_tags(space, tag_list)
    db.session.flush()
    if visibility_changed:
        recheck_access([space])
    signals.space_updated.send(space, by=by, before=before, after=_described(space))


def _content_language(language: str | None) -> str:
    """A language the site speaks, or the site's default when none is given."""
    if language is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if language not in current_app.config["LANGUAGES"]:
        raise OperationError(_("Choose one of the languages listed."), field="content_language")
    return language


def _described(space: Space) -> dict:
    """What ``update_space`` changes, as it is now."""
    return {
        "name": space.name,
        "slug": space.slug,
        "description": space.description,
        "visibility": space.visibility,
        "tags": space.tag_names,
        "expert_community": space.expert_community,
        "content_language": space.content_language,
    }


def recheck_access(spaces: list[Space], user: User | None = None) -> None:
    """Fewer people may read these spaces, or others than before (``user`` alone, or anyone
    when None): move their access epoch on, so live rooms let in before stop receiving, and
    tell the live channels to check their connections again after the commit."""
    if not spaces:
        return
    db.session.execute(
        update(Space)
        .where(Space.id.in_([space.id for space in spaces]))
        .values(access_epoch=Space.access_epoch + 1)
        .execution_options(synchronize_session=False)
    )
    for space in spaces:
        db.session.expire(space, ["access_epoch"])
        signals.space_access_changed.send(space, user=user)


def set_vote_budget(space: Space, votes: int | None, *, by: User) -> None:
    """Limit how many open ideas one person may vote for in the space at a time, or lift the
    limit with None (moderators). Votes already cast stay, also above a lowered budget."""
    guardian.ensure(by, "space.moderate", space)
    if votes is not None and not 1 <= votes <= VOTE_BUDGET_MAX:
        raise OperationError(
            _(
                "Enter a whole number from 1 to %(max)d, or leave it empty for no limit.",
                max=VOTE_BUDGET_MAX,
            ),
            field="vote_budget",
        )
    before = space.vote_budget
    if before == votes:
        return
    space.vote_budget = votes
    db.session.flush()
    signals.space_settings_changed.send(
        space, before={"vote_budget": before}, after={"vote_budget": votes}, by=by
    )


def _count_members(space: Space, delta: int) -> None:
    db.session.execute(
        update(Space).where(Space.id == space.id).values(member_count=Space.member_count + delta)
    )


def _add_member(space: Space, user: User, state: MembershipState, note: str = "") -> Membership:
    membership = Membership(
        space_id=space.id, user_id=user.id, state=state.value, request_note=note[:500]
    )
    db.session.add(membership)
    db.session.flush()
    if state == MembershipState.ACTIVE:
        _count_members(space, 1)
    remember_membership(user.id, space.id, membership)
    return membership


def _standing(space: Space, user: User) -> Membership | None:
    """The user's membership, after clearing a ban that has run out."""
    existing = membership_of(user, space)
    if (
        existing is not None
        and existing.state == MembershipState.BANNED
        and not existing.is_banned()
    ):
        db.session.delete(existing)
        db.session.flush()
        remember_membership(user.id, space.id, None)
        return None
    return existing


def join_space(space: Space, user: User) -> Membership:
    """Join a public space in one click."""
    existing = _standing(space, user)
    if existing is not None and existing.is_banned():
        raise OperationError(_("You are banned from this space."))
    if existing is not None:
        raise OperationError(_("You are already in this space."))
    guardian.ensure(
        user, "space.join", space, _("This space needs a request or an invite to join.")
    )
    membership = _add_member(space, user, MembershipState.ACTIVE)
    signals.member_joined.send(space, user=user, membership=membership)
    return membership


def request_to_join(space: Space, user: User, note: str = "") -> Membership:
    """Ask to join a restricted space or an expert community; moderators approve or decline."""
    existing = _standing(space, user)
    if existing is not None and existing.is_banned():
        raise OperationError(_("You are banned from this space."))
    if existing is not None:
        raise OperationError(_("You have already asked to join, or are in it."))
    guardian.ensure(user, "space.request", space)
    membership = _add_member(space, user, MembershipState.PENDING, note)
    signals.join_requested.send(space, user=user, membership=membership)
    return membership


def decide_request(membership: Membership, *, approve: bool, by: User) -> None:
    """Approve or decline a pending request (space moderators and owners)."""
    space = membership.space
    guardian.ensure(by, "space.moderate", space)
    if membership.state != MembershipState.PENDING:
        raise OperationError(_("That request was already decided."))
    user = membership.user
    if approve:
        membership.state = MembershipState.ACTIVE.value
        _count_members(space, 1)
    else:
        db.session.delete(membership)
        remember_membership(user.id, space.id, None)
    db.session.flush()
    signals.join_decided.send(space, user=user, approved=approve, by=by)


def leave_space(space: Space, user: User) -> None:
    """Leave a space (or withdraw a request). The last owner cannot leave."""
    membership = membership_of(user, space)
    if membership is None or membership.state == MembershipState.BANNED:
        raise OperationError(_("You are not in this space."))
    if membership.space_role == SpaceRole.OWNER and _owner_count(space) <= 1:
        raise OperationError(_("Make someone else an owner before you leave."))
    if membership.state == MembershipState.ACTIVE:
        _count_members(space, -1)
    db.session.delete(membership)
    db.session.flush()
    remember_membership(user.id, space.id, None)
    recheck_access([space], user)
    signals.member_left.send(space, user=user)


def _owner_count(space: Space) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.space_id == space.id,
            Membership.role == SpaceRole.OWNER.value,
            Membership.state == MembershipState.ACTIVE.value,
        )
    )


def set_member_role(membership: Membership, role: SpaceRole, *, by: User) -> None:
    """Change a member's role: moderators name experts; owners name moderators and owners."""
    space = membership.space
    old = membership.space_role
    needs_owner = SpaceRole.MODERATOR in (old, role) or SpaceRole.OWNER in (old, role)
    guardian.ensure(by, "space.manage" if needs_owner else "space.moderate", space)
    if membership.state != MembershipState.ACTIVE:
        raise OperationError(_("Only active members have roles."))
    if old == SpaceRole.OWNER and role != SpaceRole.OWNER and _owner_count(space) <= 1:
        raise OperationError(_("A space needs at least one owner."))
    membership.role = role.value
    db.session.flush()
    signals.member_role_changed.send(space, user=membership.user, old=old, new=role, by=by)


def ban_member(
    space: Space, user: User, *, by: User, reason: str, until: datetime | None = None
) -> Membership:
    """Ban ``user`` from writing in (and, if private, seeing) the space, optionally until a
    time. Moderators cannot ban their peers; owners and admins can."""
    guardian.ensure(by, "space.moderate", space)
    if user.id == by.id:
        raise OperationError(_("You cannot ban yourself."))
    if not reason.strip():
        raise OperationError(_("Give a reason for the ban."), field="reason")
    membership = membership_of(user, space)
    if membership is not None and membership.space_role.at_least(SpaceRole.MODERATOR):
        guardian.ensure(by, "space.manage", space, _("Only owners can ban moderators."))
        if membership.space_role == SpaceRole.OWNER and _owner_count(space) <= 1:
            raise OperationError(_("A space needs at least one owner."))
    if membership is None:
        membership = _add_member(space, user, MembershipState.BANNED)
    elif membership.state == MembershipState.ACTIVE:
        _count_members(space, -1)
    membership.state = MembershipState.BANNED.value
    membership.role = SpaceRole.MEMBER.value
    membership.ban_reason = reason.strip()[:500]
    membership.banned_until = until
    db.session.flush()
    recheck_access([space], user)
    signals.member_banned.send(space, user=user, by=by, reason=membership.ban_reason, until=until)
    return membership


def unban_member(membership: Membership, *, by: User) -> None:
    """Lift a ban; the person may join again."""
    space = membership.space
    guardian.ensure(by, "space.moderate", space)
    if membership.state != MembershipState.BANNED:
        raise OperationError(_("That person is not banned."))
    user = membership.user
    db.session.delete(membership)
    db.session.flush()
    remember_membership(user.id, space.id, None)
    signals.member_unbanned.send(space, user=user, by=by)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(
    space: Space, *, by: User, days: int = 7, requires_approval: bool = False
) -> tuple[SpaceInvite, str]:
    """An invite link valid for ``days`` (1–90); returns the invite and its secret token."""
    guardian.ensure(by, "space.moderate", space)
    if not 1 <= days <= 90:
        raise OperationError(_("An invite lasts between 1 and 90 days."), field="days")
    token = secrets.token_urlsafe(24)
    invite = SpaceInvite(
        space_id=space.id,
        token_hash=_digest(token),
        created_by_id=by.id,
        expires_at=utcnow() + timedelta(days=days),
        requires_approval=requires_approval,
    )
    db.session.add(invite)
    db.session.flush()
    signals.invite_changed.send(space, invite=invite, change="created", by=by)
    return invite, token


def revoke_invite(invite: SpaceInvite, *, by: User) -> None:
    """Stop an invite link from working."""
    guardian.ensure(by, "space.moderate", invite.space)
    invite.revoked_at = utcnow()
    db.session.flush()
    signals.invite_changed.send(invite.space, invite=invite, change="revoked", by=by)


def find_invite(token: str) -> SpaceInvite | None:
    """The usable invite for ``token``, or None (unknown, revoked or expired)."""
    invite = db.session.scalar(select(SpaceInvite).where(SpaceInvite.token_hash == _digest(token)))
    return invite if invite is not None and invite.is_usable() else None


def accept_invite(token: str, user: User) -> Membership:
    """Join through an invite link (or ask to, when the link or the expert community needs
    approval)."""
    invite = find_invite(token)
    if invite is None:
        raise OperationError(_("This invite link is invalid or has expired."))
    space = invite.space
    existing = _standing(space, user)
    if existing is not None and existing.is_banned():
        raise OperationError(_("You are banned from this space."))
    if existing is not None:
        raise OperationError(_("You have already asked to join, or are in it."))
    db.session.execute(
        update(SpaceInvite)
        .where(SpaceInvite.id == invite.id)
        .values(use_count=SpaceInvite.use_count + 1)
    )
    if invite.requires_approval or space.expert_community:
        membership = _add_member(space, user, MembershipState.PENDING)
        signals.join_requested.send(space, user=user, membership=membership)
    else:
        membership = _add_member(space, user, MembershipState.ACTIVE)
        signals.member_joined.send(space, user=user, membership=membership)
    return membership
