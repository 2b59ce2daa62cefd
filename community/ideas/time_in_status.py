"""How long an idea stayed in each status, kept on its timeline for Insights' funnel.

Each status step (:class:`IdeaStatusChange` of kind "status") holds ``seconds_in_status``: the
time from entering ``from_status`` (the idea's previous status step, in the order of
``created_at`` then ``id``, or else its proposal) to the step; and ``proposed_at``, a copy of
the idea's ``created_at``, so that the funnel picks the steps of ideas proposed in a date
range from one index. Both are derived from timestamps, and kept like every derived value
(docs/architecture.md, "Derived values"): the operations that add a status step send a signal
(``idea_status_changed``, ``idea_merged``, ``idea_unmerged``), on which ``ideas/receivers.py``
counts that idea's steps again with :func:`recount`. Dates written behind the operations' back
(demo data, tests and benchmarks date ideas and steps back; bulk loads) are counted again by
:func:`recount` with no ids, which ``flask analytics rebuild`` and ``flask demo load`` run; the
migration that added the columns backfills with the same SQL, frozen there.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from community.extensions import db
from community.ideas.models import Idea, IdeaStatusChange, TimelineKind


def _seconds_between(start, end) -> ColumnElement:
    """``end - start`` in seconds, in the database's own date arithmetic (the expression the
    dashboard used to compute the spans with, so the stored values are the same)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def recount(idea_ids: list[int] | None = None) -> None:
    """Count ``seconds_in_status`` and ``proposed_at`` again on the status steps of these
    ideas (every idea: None)."""
    steps = IdeaStatusChange.__table__
    earlier = steps.alias("earlier")
    status = TimelineKind.STATUS.value
    previous = (
        select(earlier.c.created_at)
        .where(
            earlier.c.idea_id == steps.c.idea_id,
            earlier.c.kind == status,
            or_(
                earlier.c.created_at < steps.c.created_at,
                and_(earlier.c.created_at == steps.c.created_at, earlier.c.id < steps.c.id),
            ),
        )
        .order_by(earlier.c.created_at.desc(), earlier.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    proposed = select(Idea.created_at).where(Idea.id == steps.c.idea_id).scalar_subquery()
    entered = func.coalesce(previous, proposed)
    stmt = (
        update(steps)
        .where(steps.c.kind == status)
        .values(
            seconds_in_status=_seconds_between(entered, steps.c.created_at), proposed_at=proposed
        )
    )
    if idea_ids is not None:
        if not idea_ids:
            return
        stmt = stmt.where(steps.c.idea_id.in_(idea_ids))
    # A statement on the table, which the ORM does not flush before: write pending dates first.
    db.session.flush()
    db.session.execute(stmt)
    for obj in db.session.identity_map.values():
        if isinstance(obj, IdeaStatusChange) and (idea_ids is None or obj.idea_id in idea_ids):
            db.session.expire(obj, ["seconds_in_status", "proposed_at"])
