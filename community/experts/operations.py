"""Every change to expertise: declaring tags, verifying them and revoking verifications.

Nobody verifies their own expertise, whatever their role. Removing a declared tag deletes
its row, and so its verification.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community import signals
from community.accounts.models import User
from community.database import utcnow
from community.errors import OperationError
from community.experts.models import Expertise
from community.experts.queries import forget_expertise
from community.extensions import db
from community.permissions import guardian
from community.spaces.models import Space
from community.spaces.permissions import active_role
from community.text.tags import parse_tags


def set_expertise(user: User, tags: str | list[str], *, by: User) -> list[Expertise]:
    """Make ``user``'s declared tags exactly ``tags``: new ones are added unverified, those
    left out are removed with their verification. Returns the declared rows."""
    guardian.ensure(by, "expertise.declare", user, _("You can only change your own expertise."))
    wanted = parse_tags(tags)
    existing = {
        e.tag: e for e in db.session.scalars(select(Expertise).where(Expertise.user_id == user.id))
    }
    removed = [tag for tag in existing if tag not in wanted]
    for tag in removed:
        db.session.delete(existing.pop(tag))
    added = [tag for tag in wanted if tag not in existing]
    try:
        with db.session.begin_nested():
            for tag in added:
                existing[tag] = Expertise(user_id=user.id, tag=tag)
                db.session.add(existing[tag])
            db.session.flush()
    except IntegrityError:  # (user, tag) is unique: the same tag saved by another request
        raise OperationError(
            _("Your expertise was changed meanwhile, perhaps in another tab. Please try again."),
            "tags",
        ) from None
    forget_expertise(user.id)
    if added or removed:
        signals.expertise_changed.send(user, added=added, removed=removed, by=by)
    return [existing[tag] for tag in wanted]


def verify_expertise(expertise: Expertise, *, by: User, space: Space | None = None) -> None:
    """Verify a declared tag: site-wide by a site admin, or for a member of ``space`` by
    that space's moderators and owners."""
    if by.id == expertise.user_id:
        raise OperationError(_("You cannot verify your own expertise. Ask someone else."))
    if expertise.is_verified:
        raise OperationError(_("#%(tag)s is already verified.", tag=expertise.tag))
    if space is None:
        guardian.ensure(
            by,
            "expertise.verify",
            expertise,
            _("Only site admins verify expertise outside a space."),
        )
    else:
        guardian.ensure(
            by,
            "expertise.verify_in",
            space,
            _("Only this space's moderators and owners verify its members' expertise."),
        )
        if active_role(expertise.user, space) is None:
            raise OperationError(
                _("%(name)s is not a member of this space.", name=expertise.user.display_name)
            )
    expertise.verified_at = utcnow()
    expertise.verified_by_id = by.id
    expertise.verified_in_space_id = space.id if space is not None else None
    db.session.flush()
    forget_expertise(expertise.user_id)
    signals.expertise_verified.send(expertise.user, expertise=expertise, by=by, space=space)


def revoke_verification(expertise: Expertise, *, by: User) -> None:
    """Take a verification back; the tag stays declared."""
    guardian.ensure(
        by,
        "expertise.revoke",
        expertise,
        _("Only site admins, or the moderators of the space it was verified in, may revoke it."),
    )
    if not expertise.is_verified:
        raise OperationError(_("#%(tag)s is not verified.", tag=expertise.tag))
    expertise.verified_at = None
    expertise.verified_by_id = None
    expertise.verified_in_space_id = None
    db.session.flush()
    forget_expertise(expertise.user_id)
    signals.expertise_revoked.send(expertise.user, expertise=expertise, by=by)
