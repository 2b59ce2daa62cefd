"""Live updates that follow committed votes."""

from __future__ import annotations

from community import signals
from community.extensions import db, socketio
from community.ideas.events import NAMESPACE, idea_room
from community.ideas.models import Idea


@signals.vote_cast.connect
@signals.vote_retracted.connect
@signals.after_commit
def push_vote_count(idea, **_kwargs) -> None:
    """Tell everyone watching the idea its new count (read after the commit)."""
    votes = db.session.scalar(db.select(Idea.vote_count).where(Idea.id == idea.id))
    socketio.emit(
        "votes", {"idea": idea.id, "votes": votes}, to=idea_room(idea.id), namespace=NAMESPACE
    )
