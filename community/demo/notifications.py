"""Demo notifications: the demo content, loaded through the ordinary operations, has already
told people of replies, mentions, status changes and releases. Here the demo customer also
watches the spaces they belong to and takes replies by e-mail at once, the moderator gets the
digest for join requests, and everyone's notifications older than the newest five are read, so
each demo login opens a centre with a few unread items on top of a read history."""

from __future__ import annotations

from sqlalchemy import select, update

from community.accounts.models import User
from community.database import utcnow
from community.extensions import db
from community.notifications import operations as notifications
from community.notifications.models import Notification
from community.spaces.models import Membership, MembershipState

UNREAD_KEPT = 5


def load_demo_notifications(people: dict[str, User]) -> None:
    """Follows, mail preferences and read marks for the demo accounts."""
    customer, moderator = people["customer"], people["moderator"]
    spaces = db.session.scalars(
        select(Membership.space_id).where(
            Membership.user_id == customer.id, Membership.state == MembershipState.ACTIVE.value
        )
    )
    for space_id in spaces:
        notifications.set_follow(customer, "space", space_id, "watching")
    notifications.set_delivery(customer.id, "reply", "immediately")
    notifications.set_delivery(moderator.id, "join_requested", "digest")
    for user in people.values():
        newest = select(Notification.id).where(Notification.user_id == user.id)
        keep = list(db.session.scalars(newest.order_by(Notification.id.desc()).limit(UNREAD_KEPT)))
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.id.not_in(keep or [0]))
            .values(read_at=utcnow(), mail_state="none")
        )
    db.session.flush()
