"""The ideas that got the most votes in a date range, found without counting every vote.

The votes an idea got in a range are at most all its votes (``Idea.vote_count``, which counts
every vote row of the idea, moved ones included). So walking the ideas from the most voted
down, counting each one's votes in the range from ``ix_idea_votes_idea_created`` (with a
segment, ``ix_idea_votes_idea_segment``), the walk can stop at the first idea whose
``vote_count`` is below the tenth best count found so far: no idea after it can enter the top.
Over a range that holds many votes the top counts are high and the walk stops after a few
ideas; over one that holds few, the counts are low and the walk could go on for long, so the
range's votes are then grouped by idea instead, as a plain ``GROUP BY`` (also what happens when
the walk has looked at ``WALK_MAX`` ideas without stopping). Both give the same answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, or_, select

from community.analytics.sql import read_in_index_order
from community.extensions import db
from community.ideas.models import Idea, IdeaVote

#: Below this many votes in the range (whatever their idea), they are simply grouped by idea.
FEW_VOTES = 20_000
#: Ideas the walk looks at before it gives up and groups the range's votes instead.
WALK_MAX = 5_000
FIRST_BATCH = 25


def most_voted(
    ideas: list[ColumnElement[bool]],
    since: datetime,
    until: datetime,
    segment: str = "",
    top: int = 10,
) -> list[tuple[int, int]]:
    """(idea id, votes) for the ``top`` ideas matching ``ideas`` (conditions on ``Idea``)
    with the most votes cast in ``[since, until)`` (by voters of ``segment`` if given), most
    first, then by id; ideas without a vote in the range are left out."""
    in_range = [IdeaVote.created_at >= since, IdeaVote.created_at < until]
    if segment:
        in_range.append(IdeaVote.segment == segment)
    if _fewer_than(in_range, segment, FEW_VOTES):
        return _grouped(ideas, in_range, segment, top)
    found = _walk(ideas, in_range, top)
    return found if found is not None else _grouped(ideas, in_range, segment, top)


def _all_votes(in_range: list[ColumnElement[bool]], segment: str) -> list[ColumnElement[bool]]:
    """``in_range`` for a pass over all of the range's votes: the segment's votes are a range
    of ``ix_idea_votes_voters`` (which holds the idea), with the date checked there."""
    if not segment:
        return list(in_range)
    return [*(read_in_index_order(c) for c in in_range[:2]), *in_range[2:]]


def _fewer_than(in_range: list[ColumnElement[bool]], segment: str, limit: int) -> bool:
    """Whether the range holds fewer than ``limit`` votes (reads at most ``limit`` of them)."""
    some = select(literal(1)).where(*_all_votes(in_range, segment)).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(some)) < limit


def _grouped(
    ideas: list[ColumnElement[bool]], in_range: list[ColumnElement[bool]], segment: str, top: int
) -> list[tuple[int, int]]:
    """Every vote of the range grouped by idea."""
    conditions = _all_votes(in_range, segment)
    if ideas:
        conditions.append(IdeaVote.idea_id.in_(select(Idea.id).where(*ideas)))
    rows = db.session.execute(
        select(IdeaVote.idea_id, func.count())
        .where(*conditions)
        .group_by(IdeaVote.idea_id)
        .order_by(func.count().desc(), IdeaVote.idea_id)
        .limit(top)
    ).all()
    return [(idea_id, int(votes)) for idea_id, votes in rows]


def _walk(
    ideas: list[ColumnElement[bool]], in_range: list[ColumnElement[bool]], top: int
) -> list[tuple[int, int]] | None:
    """The threshold walk down ``Idea.vote_count``, in batches that double; None when it
    looked at ``WALK_MAX`` ideas without being able to stop."""
    in_range_of_idea = (
        select(func.count()).where(IdeaVote.idea_id == Idea.id, *in_range).scalar_subquery()
    )
    best: list[tuple[int, int]] = []
    after: tuple[int, int] | None = None
    batch, walked = FIRST_BATCH, 0
    while walked < WALK_MAX:
        # An idea with fewer votes than the last of a full top cannot enter it; one with as
        # many can (ties go to the lower id), and an idea without votes never does.
        floor = best[-1][1] if len(best) == top else 1
        stmt = select(Idea.id, Idea.vote_count, in_range_of_idea).where(
            *ideas, Idea.vote_count >= floor
        )
        if after is not None:
            stmt = stmt.where(
                Idea.vote_count <= after[0],
                or_(Idea.vote_count < after[0], Idea.id < after[1]),
            )
        limit = min(batch, WALK_MAX - walked)
        rows = db.session.execute(
            stmt.order_by(Idea.vote_count.desc(), Idea.id.desc()).limit(limit)
        ).all()
        best.extend((idea_id, int(votes)) for idea_id, _all, votes in rows if votes)
        best = sorted(best, key=lambda row: (-row[1], row[0]))[:top]
        if len(rows) < limit:
            return best
        after = (rows[-1][1], rows[-1][0])
        walked += len(rows)
        batch *= 2
    return None
