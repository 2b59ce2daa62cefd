"""Trending: recent support and discussion, fading with time, kept on each idea.

An idea's trending score is a sum over what happened to it, each event weighing less the older
it is::

    score(now) = Σ weight × 2 ** (-(now - when) / HALF_LIFE)

with the proposal itself weighing ``PROPOSAL``, each vote ``VOTE`` and each live reply in its
co-design thread ``REPLY``. A vote from a week ago counts half as much as one from today.

Every idea's score fades by the same factor as time passes, so their order never changes by
itself and can be kept in a column: ``Idea.trend`` holds ``log2`` of the sum, measured as a
moment (days since 1970) — the "effective moment" of the idea's activity. Sorting by it is
sorting by the score, so a trending list reads an index and stops after its page.

Adding an event is one atomic statement (:func:`add`), safe beside concurrent writers.
Taking one away (a vote withdrawn, a reply deleted, a merge undone) counts the idea's events
again (:func:`recount`) while the caller holds the idea's row lock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, case, event, func, literal, select, update

from community.database import utcnow
from community.extensions import db
from community.forums.models import Post
from community.ideas.models import Idea, IdeaVote
from community.progress import NO_PROGRESS, Progress

HALF_LIFE = 7.0  # days
PROPOSAL = 3.0
VOTE = 2.0
REPLY = 1.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment(when: datetime | None) -> float:
    """``when`` (now if None) in days since 1970."""
    when = when or utcnow()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH).total_seconds() / 86400


def key(events: Iterable[tuple[datetime, float]]) -> float:
    """The kept value for ``events`` ((when, weight) pairs): ``HALF_LIFE × log2`` of the sum
    of ``weight × 2 ** (moment / HALF_LIFE)``, computed from the latest moment so that no
    power overflows."""
    points = [(moment(when), weight) for when, weight in events]
    if not points:
        return 0.0
    latest = max(at for at, _weight in points)
    total = sum(weight * 2 ** ((at - latest) / HALF_LIFE) for at, weight in points)
    return latest + HALF_LIFE * math.log2(total)


def proposed(when: datetime | None = None) -> float:
    """The value for an idea proposed at ``when`` with nothing else yet."""
    return key([(when or utcnow(), PROPOSAL)])


@event.listens_for(Idea, "before_insert")
def count_the_proposal(_mapper, _connection, idea: Idea) -> None:
    """A new idea's value is its proposal at its ``created_at``, which is read from the clock
    here, once, for both. (As two column defaults they read the clock twice: ``trend`` comes
    first in the table, before ``created_at`` had a value, so under load the two moments
    were milliseconds apart and the kept value differed from a recount.)"""
    if idea.created_at is None:
        idea.created_at = utcnow()
    if idea.trend is None:
        idea.trend = proposed(idea.created_at)


def add(current: ColumnElement, when: datetime, weight: float) -> ColumnElement:
    """SQL for ``current`` (the kept value) with one more event: ``log2(2**k + w·2**t)`` in
    the form whose powers never exceed 1."""
    at = literal(moment(when))
    half_life = literal(HALF_LIFE)
    log2 = literal(math.log(2))
    return case(
        (
            current >= at,
            current
            + half_life * func.ln(1 + weight * func.power(2.0, (at - current) / half_life)) / log2,
        ),
        else_=at + half_life * func.ln(weight + func.power(2.0, (current - at) / half_life)) / log2,
    )


def add_reply(thread_id: int, when: datetime) -> None:
    """A reply in ``thread_id``: the idea whose co-design thread it is (if any) gains it."""
    db.session.execute(
        update(Idea).where(Idea.thread_id == thread_id).values(trend=add(Idea.trend, when, REPLY)),
        execution_options={"synchronize_session": False},
    )


def recount_thread(thread_id: int) -> None:
    """A reply in ``thread_id`` was deleted or restored: count its idea (if any) again, under
    the idea's row lock."""
    ids = list(
        db.session.scalars(
            select(Idea.id).where(Idea.thread_id == thread_id).order_by(Idea.id).with_for_update()
        )
    )
    recount(ids)


def events(idea_ids: list[int]) -> dict[int, list[tuple[datetime, float]]]:
    """Every event of each idea: its proposal, its votes and the live replies in its thread."""
    found: dict[int, list[tuple[datetime, float]]] = {}
    for idea_id, created_at in db.session.execute(
        select(Idea.id, Idea.created_at).where(Idea.id.in_(idea_ids))
    ):
        found[idea_id] = [(created_at, PROPOSAL)]
    for idea_id, when in db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.created_at).where(IdeaVote.idea_id.in_(idea_ids))
    ):
        found[idea_id].append((when, VOTE))
    for idea_id, when in db.session.execute(
        select(Idea.id, Post.created_at)
        .join(Post, Post.thread_id == Idea.thread_id)
        .where(
            Idea.id.in_(idea_ids),
            Post.is_opening.is_(False),
            Post.deleted_at.is_(None),
        )
    ):
        found[idea_id].append((when, REPLY))
    return found


def recount(idea_ids: Iterable[int]) -> None:
    """Count the kept value of ``idea_ids`` again from their events. Callers that run beside
    other writers hold the ideas' row locks (``ideas.locks.lock_rows``), so that no event
    is added between the reading and the writing."""
    ids = sorted(set(idea_ids))
    if not ids:
        return
    values = [{"id": idea_id, "trend": key(found)} for idea_id, found in events(ids).items()]
    if values:
        db.session.execute(update(Idea), values)


def recount_all(batch: int = 1000, progress: Progress = NO_PROGRESS) -> int:
    """Count every idea's kept value again (``flask ideas recount``, the demo); returns how
    many ideas were counted."""
    progress.expect(db.session.scalar(select(func.count(Idea.id))))
    last, counted = 0, 0
    while True:
        ids = list(
            db.session.scalars(select(Idea.id).where(Idea.id > last).order_by(Idea.id).limit(batch))
        )
        if not ids:
            return counted
        recount(ids)
        counted += len(ids)
        progress.advance(len(ids))
        last = ids[-1]
