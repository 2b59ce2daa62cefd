"""The ``/ideas`` Socket.IO namespace: live vote counts for everyone looking at an idea.

Anyone may connect (vote counts on public ideas are public), but a connection joins an idea's
room only if the guardian lets that visitor see the idea, so private counts never leave their
space. Counts are pushed after the vote commits.
"""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from community.extensions import db
from community.ideas.models import Idea
from community.permissions import guardian

NAMESPACE = "/ideas"
MAX_WATCHED = 100


def idea_room(idea_id: int) -> str:
    return f"idea:{idea_id}"


class IdeasNamespace(Namespace):
    """Read-only live updates; every room is joined through the guardian."""

    def on_watch(self, data):
        """Watch ideas by id (those on the visitor's page); returns the ids actually watched."""
        ids = data.get("ideas", []) if isinstance(data, dict) else []
        wanted = {i for i in ids if isinstance(i, int)}
        if not wanted or len(wanted) > MAX_WATCHED:
            return {"ok": False, "watching": []}
        visible = [
            idea.id
            for idea in db.session.scalars(db.select(Idea).where(Idea.id.in_(wanted)))
            if guardian.can(current_user, "idea.view", idea)
        ]
        db.session.rollback()  # read-only: nothing to commit
        try:
            for idea_id in visible:
                join_room(idea_room(idea_id))
        except ValueError:
            # The visitor left (e.g. navigated away) while this event was handled.
            return {"ok": False, "watching": []}
        return {"ok": True, "watching": sorted(visible)}

    def on_unwatch(self, data):
        for idea_id in data.get("ideas", []) if isinstance(data, dict) else []:
            if isinstance(idea_id, int):
                leave_room(idea_room(idea_id))
        return {"ok": True}
