"""The ``/ideas`` Socket.IO namespace: live vote counts for everyone looking at an idea.

Anyone may connect (vote counts on public ideas are public), but a connection joins an idea's
room only if the guardian lets that visitor see the idea, so private counts never leave their
space. Counts are pushed after the vote commits.

Who may read a space changes while pages stay open (it turns private, someone leaves or is
banned, signs out). The room of an idea says on what grounds its watchers were let in: an
idea of a public or restricted space has the open room ``idea:<id>``, one of a private space
``idea:<id>:<access epoch>``, and each count goes to the room that fits the space *now*. So
when a space turns private, or one of a private space's readers loses access, the watchers
let in before stop receiving at once, in every server process, without a check per push.
They are then told to ``recheck`` (in the room of the space's watchers) and watch again,
through the guardian.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.ideas.models import Idea
from community.permissions import guardian
from community.web.args import Id
from community.web.live import (
    EventRefused,
    LiveNamespace,
    join_session_room,
    payload,
    readers_room,
)

NAMESPACE = "/ideas"
MAX_WATCHED = 100

#: The ideas on the visitor's page: 1 to ``MAX_WATCHED`` ids.
IDEA_IDS = ma.fields.List(
    Id(strict=True), required=True, validate=ma.validate.Length(min=1, max=MAX_WATCHED)
)


def idea_room(idea_id: int, space) -> str:
    """The room a count of this idea goes to: open, or for the space's current readers."""
    return readers_room(f"idea:{idea_id}", space)


def space_room(space_id: int) -> str:
    """Every connection watching some idea of the space: told to ``recheck``."""
    return f"ideas:space:{space_id}"


def _idea_of(room: str) -> int | None:
    parts = room.split(":")
    if parts[0] == "idea" and len(parts) in (2, 3) and parts[1].isdigit():
        return int(parts[1])
    return None


class IdeasNamespace(LiveNamespace):
    """Read-only live updates; every room is joined through the guardian."""

    def on_connect(self, auth=None):
        if current_user.is_authenticated:
            join_session_room()  # signing out closes it

    @payload(ideas=IDEA_IDS)
    def on_watch(self, data: dict) -> dict:
        """Watch ideas by id (those on the visitor's page); returns the ids actually watched
        and their counts of now, so a page watching again after it may have missed pushes (a
        reconnect, a ``resync``) catches up. Watching again (after a ``recheck``) also leaves
        the rooms the visitor may no longer read."""
        wanted = set(data["ideas"])
        # The space (and its epoch) is read with the idea, before the guardian reads the
        # membership: a change committed in between only puts us in a room already left behind.
        ideas = db.session.scalars(
            db.select(Idea).options(joinedload(Idea.space)).where(Idea.id.in_(wanted))
        ).all()
        watched = [idea for idea in ideas if guardian.can(current_user, "idea.view", idea)]
        allowed = {idea_room(idea.id, idea.space): idea.space_id for idea in watched}
        votes = {str(idea.id): idea.vote_count for idea in watched}
        watching = sorted(idea.id for idea in watched)
        db.session.rollback()  # read-only: nothing to commit
        try:
            for room in rooms():
                if _idea_of(room) in wanted and room not in allowed:
                    leave_room(room)
            for room, space_id in allowed.items():
                join_room(room)
                join_room(space_room(space_id))
        except ValueError:
            # The visitor left (e.g. navigated away) while this event was handled.
            raise EventRefused(_("This page is no longer connected.")) from None
        return {"ok": True, "watching": watching, "votes": votes}

    @payload(ideas=IDEA_IDS)
    def on_unwatch(self, data: dict) -> dict:
        wanted = set(data["ideas"])
        for room in rooms():
            if _idea_of(room) in wanted:
                leave_room(room)
        return {"ok": True}
