"""Turning a session's results into ideas: a note or a cluster becomes an idea in the
session's space, once, keeping a link back to the session and to the item."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from community import signals
from community.accounts.models import User
from community.brainstorms import operations
from community.brainstorms.models import BrainstormSession, Cluster, Note, Phase
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea
from community.ideas.operations import submit_idea
from community.permissions import guardian


def promoted_idea(note: Note | None, cluster: Cluster | None) -> int | None:
    """The id of the idea the note or cluster became, if it was promoted."""
    if note is not None:
        return db.session.scalar(select(Idea.id).where(Idea.brainstorm_note_id == note.id))
    return db.session.scalar(select(Idea.id).where(Idea.brainstorm_cluster_id == cluster.id))


def promote_to_idea(
    session: BrainstormSession,
    *,
    by: User,
    title: str,
    body: str,
    tags: str | list[str] = "",
    note: Note | None = None,
    cluster: Cluster | None = None,
) -> Idea:
    """Post a note or a cluster of the results as an idea in the session's space (the
    facilitator and the space's moderators, from the results phase on); the idea keeps a link
    to the session and to the item, which can be promoted once."""
    guardian.ensure(
        by,
        "brainstorm.promote",
        session,
        _("Only the facilitator and the space's moderators can turn results into ideas."),
    )
    if session.current_phase not in (Phase.RESULTS, Phase.CLOSED):
        raise OperationError(_("Notes and clusters become ideas once the results are in."))
    item = note if note is not None else cluster
    if (note is None) == (cluster is None) or item.session_id != session.id:
        raise OperationError(_("That note or cluster is not in this session."))
    if note is not None and not note.on_board:
        raise OperationError(_("That note or cluster is not in this session."))
    operations.bump(session)  # two promotions of the same item wait for each other
    existing = promoted_idea(note, cluster)
    if existing is not None:
        raise OperationError(_("This was already promoted to idea #%(number)d.", number=existing))
    idea = submit_idea(session.space, author=by, title=title, body=body, tags=tags)
    idea.brainstorm_session_id = session.id
    idea.brainstorm_note_id = note.id if note is not None else None
    idea.brainstorm_cluster_id = cluster.id if cluster is not None else None
    db.session.flush()
    signals.brainstorm_promoted.send(session, idea=idea, by=by)
    return idea
