"""How long an idea stayed in each status, kept on its timeline for Insights' funnel.

Each status step (:class:`IdeaStatusChange` of kind "status") holds ``seconds_in_status``: the
time from entering ``from_status`` (the idea's previous status step, in the order of
``created_at`` then ``id``, or else its proposal) to the step; and ``proposed_at``, a copy of
the idea's ``created_at``, so that the funnel picks the steps of ideas proposed in a date
range from one index. Both are derived from timestamps only, so they are counted again in SQL
whenever one of those is written: a new step, or a step's or an idea's ``created_at`` set
through the ORM (demo data and tests date them back). The recount runs once per
transaction, just before it commits, for the ideas concerned.
Bulk inserts send no events: :func:`recount` with no ids counts every idea (what ``flask
analytics rebuild`` runs; the migration that added the column backfills with the same SQL,
frozen there).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import has_app_context
from sqlalchemy import ColumnElement, and_, event, func, or_, select, update

from community.extensions import db
from community.ideas.models import Idea, IdeaStatusChange, TimelineKind

PENDING = "ideas.time_in_status"


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


def recount_before_commit(idea_ids: Iterable[int | None]) -> None:
    """Recount these ideas just before the transaction commits, once per transaction."""
    session = db.session()
    pending = session.transaction_scoped(PENDING, set)
    if not pending:
        session.before_commit(_recount_pending)
    pending.update(i for i in idea_ids if i is not None)


def _recount_pending() -> None:
    pending = db.session().transaction_scoped(PENDING, set)
    recount(sorted(pending))
    pending.clear()


@event.listens_for(IdeaStatusChange.idea_id, "set")
def _step_written(_step: IdeaStatusChange, idea_id, _old, _initiator) -> None:
    """A new step (made with its idea's id): the idea has one more span."""
    _recount_if_app(idea_id)


@event.listens_for(IdeaStatusChange.created_at, "set")
def _step_dated(step: IdeaStatusChange, _value, _old, _initiator) -> None:
    """A step dated: it and the idea's next step start or end at another time."""
    _recount_if_app(step.idea_id)


@event.listens_for(Idea.created_at, "set")
def _idea_dated(idea: Idea, _value, _old, _initiator) -> None:
    """An idea dated: its first step starts at another time, and it is in other ranges."""
    _recount_if_app(idea.id)


def _recount_if_app(idea_id: int | None) -> None:
    # Objects built outside an application (no session to commit) have nothing to recount.
    if idea_id is not None and has_app_context():
        recount_before_commit([idea_id])
