"""The locks that writes to ideas take, always in one order, so that concurrent requests wait
for each other instead of deadlocking: idea rows first (``SELECT … FOR UPDATE``, by ascending
id), then, where a space has a vote budget, one PostgreSQL advisory lock per (space, voter)
held until the commit, then vote rows. A voter's budget is counted only under that lock, so two
simultaneous votes cannot both take the last one. SQLite has no row locks but lets one writer
in at a time: there, checks that must see the latest rows run after the transaction's first
write (which :func:`hold` makes)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from community.database import utcnow
from community.extensions import db
from community.ideas.models import Idea


def lock_rows(idea_ids: list[int]) -> None:
    """Lock these ideas' rows until the commit, in id order (PostgreSQL; a no-op on SQLite)."""
    db.session.execute(
        select(Idea.id).where(Idea.id.in_(idea_ids)).order_by(Idea.id).with_for_update()
    )


def hold(*ideas: Idea) -> None:
    """Lock the ideas and read them afresh, so that the checks that follow see the latest
    status: on SQLite the ``updated_at`` write takes the database's write lock first."""
    ids = sorted({idea.id for idea in ideas})
    lock_rows(ids)
    db.session.execute(
        update(Idea).where(Idea.id.in_(ids)).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    for idea in ideas:
        db.session.refresh(idea)


def lock_budgets(space_id: int, user_ids: list[int]) -> None:
    """Hold the (space, voter) budget locks until the commit, in user order (PostgreSQL;
    on SQLite the vote's own write already keeps other writers out)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for user_id in sorted(set(user_ids)):
        db.session.execute(select(func.pg_advisory_xact_lock(space_id, user_id)))
