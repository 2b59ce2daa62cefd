"""The ``/ideas`` Socket.IO namespace: live vote counts for everyone looking at an idea.

Anyone may connect (vote counts on public ideas are public), but a connection joins an idea's
room only if the guardian lets that visitor see the idea, so private counts never leave their
space. Counts are pushed after the vote commits.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room

from community.args import Id
from community.extensions import db
from community.ideas.models import Idea
from community.live import EventRefused, LiveNamespace, payload
from community.permissions import guardian

NAMESPACE = "/ideas"
MAX_WATCHED = 100

#: The ideas on the visitor's page: 1 to ``MAX_WATCHED`` ids.
IDEA_IDS = ma.fields.List(
    Id(strict=True), required=True, validate=ma.validate.Length(min=1, max=MAX_WATCHED)
)


def idea_room(idea_id: int) -> str:
    return f"idea:{idea_id}"


class IdeasNamespace(LiveNamespace):
    """Read-only live updates; every room is joined through the guardian."""

    @payload(ideas=IDEA_IDS)
    def on_watch(self, data: dict) -> dict:
        """Watch ideas by id (those on the visitor's page); returns the ids actually watched."""
        visible = [
            idea.id
            for idea in db.session.scalars(db.select(Idea).where(Idea.id.in_(set(data["ideas"]))))
            if guardian.can(current_user, "idea.view", idea)
        ]
        try:
            for idea_id in visible:
                join_room(idea_room(idea_id))
        except ValueError:
            # The visitor left (e.g. navigated away) while this event was handled.
            raise EventRefused(_("This page is no longer connected.")) from None
        return {"ok": True, "watching": sorted(visible)}

    @payload(ideas=IDEA_IDS)
    def on_unwatch(self, data: dict) -> dict:
        for idea_id in data["ideas"]:
            leave_room(idea_room(idea_id))
        return {"ok": True}
