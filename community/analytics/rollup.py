"""Writes to the participation rollup (:class:`ActivityDay`, and :class:`ActivityWeek` with it)
and to the votes rollup (:class:`VoteDay`, :class:`VoteVoter`).

Every single post or vote changes one row with one statement that the database applies
atomically: an ``INSERT … ON CONFLICT DO UPDATE`` adds, an ``UPDATE … SET n = n - 1`` takes
away (then the row goes if nothing is left), so concurrent writers never lose a count. Rarer
changes that move many contributions at once (a thread moved to another space, a merge or
unmerge, a deleted idea) recount the people concerned from posts and votes just before the
transaction commits, once per transaction. :func:`rebuild` recounts everyone; the migration
that created the table backfills it with the same statement (frozen there).

A voter's last vote (:class:`VoteVoter`) is kept by an upsert that keeps the later time when a
vote is cast; when one is taken back, the row is locked and set to the latest vote left, in
one statement (or goes, if none is left).

On PostgreSQL every writer takes a person's rollup lock (:func:`_lock_people`) before it
touches any of that person's rows, recounts included, and the rows everyone shares (a week's
people, a day's votes) come after, in date order. A vote adds to its week before its day,
and a recount used to delete days before weeks: holding one each, they waited for each
other until PostgreSQL killed one. SQLite lets one writer in at a time and needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from community.analytics.models import (
    ActivityDay,
    ActivityWeek,
    ActivityWeekPeople,
    VoteDay,
    VoteVoter,
)
from community.extensions import db
from community.forums.models import Post, Thread
from community.ideas.models import Idea, IdeaVote

KEY = ("space_id", "user_id", "day", "segment")
# The first key of the rollup's advisory locks: space ids (the vote budget's locks) are positive.
PERSON_LOCK = -1
PENDING = "analytics.recount"
VOTES_PENDING = "analytics.recount_votes"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def week_of_day(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _lock_people(user_ids: Iterable[int]) -> None:
    """Hold these people's rollup locks until the commit, in id order (PostgreSQL)."""
    if _dialect() != "postgresql":
        return
    for user_id in sorted(set(user_ids)):
        db.session.execute(select(func.pg_advisory_xact_lock(PERSON_LOCK, user_id)))


def _add(day: date, space_id: int, user_id: int, segment: str, *, posts=0, votes=0) -> None:
    _lock_people([user_id])
    insert = sqlite.insert if _dialect() == "sqlite" else postgresql.insert
    week = insert(ActivityWeek).values(
        week=week_of_day(day), user_id=user_id, contributions=posts + votes
    )
    now = db.session.scalar(
        week.on_conflict_do_update(
            index_elements=["week", "user_id"],
            set_={"contributions": ActivityWeek.contributions + week.excluded.contributions},
        ).returning(ActivityWeek.contributions)
    )
    if now == posts + votes:  # the row was created: one more person that week
        _count_people({week_of_day(day): 1})
    stmt = insert(ActivityDay).values(
        day=day,
        week=week_of_day(day),
        space_id=space_id,
        user_id=user_id,
        segment=segment,
        posts=posts,
        votes=votes,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            "posts": ActivityDay.posts + stmt.excluded.posts,
            "votes": ActivityDay.votes + stmt.excluded.votes,
        },
    )
    db.session.execute(stmt)


def _take(day: date, space_id: int, user_id: int, segment: str, *, posts=0, votes=0) -> None:
    _lock_people([user_id])
    week = and_(ActivityWeek.week == week_of_day(day), ActivityWeek.user_id == user_id)
    db.session.execute(
        update(ActivityWeek)
        .where(week)
        .values(contributions=ActivityWeek.contributions - posts - votes),
        execution_options={"synchronize_session": False},
    )
    gone = db.session.execute(
        delete(ActivityWeek)
        .where(week, ActivityWeek.contributions <= 0)
        .returning(ActivityWeek.week),
        execution_options={"synchronize_session": False},
    ).all()
    if gone:
        _count_people({week_of_day(day): -1})
    row = and_(
        ActivityDay.day == day,
        ActivityDay.space_id == space_id,
        ActivityDay.user_id == user_id,
        ActivityDay.segment == segment,
    )
    db.session.execute(
        update(ActivityDay)
        .where(row)
        .values(posts=ActivityDay.posts - posts, votes=ActivityDay.votes - votes),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(ActivityDay).where(row, ActivityDay.posts <= 0, ActivityDay.votes <= 0),
        execution_options={"synchronize_session": False},
    )


def _count_people(changes: dict[date, int]) -> None:
    """Add each week's change to its number of people (one atomic statement per week)."""
    insert = sqlite.insert if _dialect() == "sqlite" else postgresql.insert
    for week, change in sorted(changes.items()):
        if change > 0:
            stmt = insert(ActivityWeekPeople).values(week=week, people=change)
            db.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["week"],
                    set_={"people": ActivityWeekPeople.people + stmt.excluded.people},
                )
            )
        elif change < 0:
            db.session.execute(
                update(ActivityWeekPeople)
                .where(ActivityWeekPeople.week == week)
                .values(people=ActivityWeekPeople.people + change),
                execution_options={"synchronize_session": False},
            )


def count_post(post: Post, space_id: int, change: int) -> None:
    """A live post was written or restored (``change`` 1), or deleted (-1)."""
    if post.author_id is None:
        return
    write = _add if change > 0 else _take
    write(day_of(post.created_at), space_id, post.author_id, "", posts=abs(change))


def count_vote(user_id: int, space_id: int, voted_at: datetime, segment: str, change: int) -> None:
    """A vote was cast (``change`` 1) or taken back (-1)."""
    write = _add if change > 0 else _take
    write(day_of(voted_at), space_id, user_id, segment or "", votes=abs(change))


def recount_before_commit(user_ids: Iterable[int]) -> None:
    """Recount these people just before the transaction commits, after every other change
    of the operation (one recount per transaction, however many receivers ask)."""
    pending = db.session().transaction_scoped(PENDING, set)
    if not pending:
        db.session().before_commit(_recount_pending)
    pending.update(i for i in user_ids if i is not None)


def _recount_pending() -> None:
    pending = db.session().transaction_scoped(PENDING, set)
    recount(sorted(pending))
    pending.clear()


def _moments():
    """The day and week of a UTC timestamp column, in the database's own date functions."""
    if _dialect() == "sqlite":
        return (
            lambda at: func.date(at),
            lambda at: func.date(at, "weekday 0", "-6 days"),
        )
    return (
        lambda at: cast(func.timezone("UTC", at), Date),
        lambda at: cast(func.date_trunc("week", func.timezone("UTC", at)), Date),
    )


def _contributions(user_ids: list[int] | None):
    """Every live post (with an author) and every vote, as rollup rows (one per contribution)
    grouped into one row per day, space, person and segment."""
    day, week = _moments()
    posts = (
        select(
            day(Post.created_at).label("day"),
            week(Post.created_at).label("week"),
            Thread.space_id.label("space_id"),
            Post.author_id.label("user_id"),
            literal("").label("segment"),
            literal(1).label("posts"),
            literal(0).label("votes"),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id.is_not(None), Post.deleted_at.is_(None))
    )
    votes = select(
        day(IdeaVote.created_at),
        week(IdeaVote.created_at),
        Idea.space_id,
        IdeaVote.user_id,
        IdeaVote.segment,
        literal(0),
        literal(1),
    ).join(Idea, Idea.id == IdeaVote.idea_id)
    if user_ids is not None:
        posts = posts.where(Post.author_id.in_(user_ids))
        votes = votes.where(IdeaVote.user_id.in_(user_ids))
    rows = union_all(posts, votes).subquery()
    return select(
        rows.c.day,
        func.min(rows.c.week),
        rows.c.space_id,
        rows.c.user_id,
        rows.c.segment,
        func.sum(rows.c.posts),
        func.sum(rows.c.votes),
    ).group_by(rows.c.day, rows.c.space_id, rows.c.user_id, rows.c.segment)


def _fill(user_ids: list[int] | None) -> None:
    db.session.execute(
        ActivityDay.__table__.insert().from_select(
            ["day", "week", "space_id", "user_id", "segment", "posts", "votes"],
            _contributions(user_ids),
        )
    )
    days = select(
        ActivityDay.week, ActivityDay.user_id, (ActivityDay.posts + ActivityDay.votes).label("n")
    )
    if user_ids is not None:
        days = days.where(ActivityDay.user_id.in_(user_ids))
    days = days.subquery()
    weeks = select(days.c.week, days.c.user_id, func.sum(days.c.n)).group_by(
        days.c.week, days.c.user_id
    )
    db.session.execute(
        ActivityWeek.__table__.insert().from_select(["week", "user_id", "contributions"], weeks)
    )


def recount(user_ids: list[int]) -> None:
    """Count these people's rows again from their posts and votes."""
    _lock_people(user_ids)
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        before = _weeks_of(chunk)
        for model in (ActivityDay, ActivityWeek):
            db.session.execute(
                delete(model).where(model.user_id.in_(chunk)),
                execution_options={"synchronize_session": False},
            )
        _fill(chunk)
        after = _weeks_of(chunk)
        # The people of each week change by the persons who appeared or left there.
        _count_people(
            {week: after.get(week, 0) - before.get(week, 0) for week in {*before, *after}}
        )


def _weeks_of(user_ids: list[int]) -> dict[date, int]:
    """How many of these people have a row in each week."""
    return dict(
        db.session.execute(
            select(ActivityWeek.week, func.count())
            .where(ActivityWeek.user_id.in_(user_ids))
            .group_by(ActivityWeek.week)
        ).all()
    )


def rebuild() -> int:
    """Count everything again from posts and votes (after bulk loads that send no signals),
    the votes rollup included; returns the number of participation rows. Caller commits."""
    for model in (ActivityDay, ActivityWeek, ActivityWeekPeople, VoteDay, VoteVoter):
        db.session.execute(delete(model), execution_options={"synchronize_session": False})
    _fill(None)
    _fill_votes(None, None)
    db.session.execute(
        ActivityWeekPeople.__table__.insert().from_select(
            ["week", "people"],
            select(ActivityWeek.week, func.count()).group_by(ActivityWeek.week),
        )
    )
    return db.session.scalar(select(func.count()).select_from(ActivityDay))


# The votes rollup: votes per day, segment and organisation (VoteDay) and each voter's last
# vote (VoteVoter), both as recorded on the votes.


def count_vote_day(voted_at: datetime, segment: str, organisation: str, change: int) -> None:
    """A vote was cast (``change`` 1) or taken back (-1): one atomic statement on its day."""
    day = day_of(voted_at)
    if change > 0:
        insert = sqlite.insert if _dialect() == "sqlite" else postgresql.insert
        stmt = insert(VoteDay).values(
            day=day, segment=segment, organisation=organisation, votes=change
        )
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["day", "segment", "organisation"],
                set_={"votes": VoteDay.votes + stmt.excluded.votes},
            )
        )
        return
    row = and_(VoteDay.day == day, VoteDay.segment == segment, VoteDay.organisation == organisation)
    db.session.execute(
        update(VoteDay).where(row).values(votes=VoteDay.votes + change),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(VoteDay).where(row, VoteDay.votes <= 0),
        execution_options={"synchronize_session": False},
    )


def note_voter(user_id: int, segment: str, organisation: str, voted_at: datetime) -> None:
    """A vote was cast: the voter's last vote is this one unless a later one is recorded (one
    atomic upsert, so concurrent votes of one person keep the latest)."""
    _lock_people([user_id])
    insert = sqlite.insert if _dialect() == "sqlite" else postgresql.insert
    stmt = insert(VoteVoter).values(
        segment=segment, organisation=organisation, user_id=user_id, last_voted_at=voted_at
    )
    later = stmt.excluded.last_voted_at > VoteVoter.last_voted_at
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["segment", "organisation", "user_id"],
            set_={
                "last_voted_at": case(
                    (later, stmt.excluded.last_voted_at), else_=VoteVoter.last_voted_at
                )
            },
        )
    )


def recount_voter(user_id: int, segment: str, organisation: str) -> None:
    """A vote was taken back: the voter's last vote is the latest left (the row goes when
    none is). The row is locked first (PostgreSQL) so that the recount sees a concurrent vote
    of the same person that committed before it."""
    _lock_people([user_id])
    key = and_(
        VoteVoter.segment == segment,
        VoteVoter.organisation == organisation,
        VoteVoter.user_id == user_id,
    )
    db.session.execute(select(VoteVoter.user_id).where(key).with_for_update())
    theirs = (
        IdeaVote.segment == segment,
        IdeaVote.organisation == organisation,
        IdeaVote.user_id == user_id,
    )
    db.session.execute(
        delete(VoteVoter).where(key, ~select(IdeaVote.id).where(*theirs).exists()),
        execution_options={"synchronize_session": False},
    )
    latest = select(func.max(IdeaVote.created_at)).where(*theirs).scalar_subquery()
    db.session.execute(
        update(VoteVoter).where(key).values(last_voted_at=latest),
        execution_options={"synchronize_session": False},
    )


def recount_votes_before_commit(votes: Iterable[tuple[int, datetime]]) -> None:
    """Recount the voters and the days of these votes (voter id, time) just before the
    transaction commits (a merge, unmerge or deleted idea moves many votes at once)."""
    pending = db.session().transaction_scoped(VOTES_PENDING, lambda: (set(), set()))
    if not pending[0] and not pending[1]:
        db.session().before_commit(_recount_votes_pending)
    for user_id, voted_at in votes:
        pending[0].add(user_id)
        pending[1].add(day_of(voted_at))


def _recount_votes_pending() -> None:
    user_ids, days = db.session().transaction_scoped(VOTES_PENDING, lambda: (set(), set()))
    recount_votes(sorted(user_ids), sorted(days))
    user_ids.clear()
    days.clear()


def _vote_rows(user_ids: list[int] | None, days: list[date] | None):
    """The rows of both tables counted from the votes (of these people, on these days)."""
    day, _week = _moments()
    votes = select(day(IdeaVote.created_at).label("day"), IdeaVote.segment, IdeaVote.organisation)
    if days is not None:
        votes = votes.where(
            or_(
                *(
                    and_(IdeaVote.created_at >= _midnight(d), IdeaVote.created_at < _midnight(d, 1))
                    for d in days
                )
            )
        )
    votes = votes.subquery()
    per_day = select(votes.c.day, votes.c.segment, votes.c.organisation, func.count()).group_by(
        votes.c.day, votes.c.segment, votes.c.organisation
    )
    voters = select(
        IdeaVote.segment, IdeaVote.organisation, IdeaVote.user_id, func.max(IdeaVote.created_at)
    ).group_by(IdeaVote.segment, IdeaVote.organisation, IdeaVote.user_id)
    if user_ids is not None:
        voters = voters.where(IdeaVote.user_id.in_(user_ids))
    return per_day, voters


def _midnight(day: date, later: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=later), datetime.min.time(), tzinfo=UTC)


def recount_votes(user_ids: list[int], days: list[date]) -> None:
    """Count these people's voter rows and these days' rows again from the votes."""
    _lock_people(user_ids)
    for start in range(0, len(days), 100):
        chunk = days[start : start + 100]
        db.session.execute(
            delete(VoteDay).where(VoteDay.day.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
        _fill_votes(None, chunk, by_voter=False)
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        db.session.execute(
            delete(VoteVoter).where(VoteVoter.user_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
        _fill_votes(chunk, None, by_day=False)


def _fill_votes(
    user_ids: list[int] | None, days: list[date] | None, *, by_day=True, by_voter=True
) -> None:
    per_day, per_voter = _vote_rows(user_ids, days)
    if by_day:
        db.session.execute(
            VoteDay.__table__.insert().from_select(
                ["day", "segment", "organisation", "votes"], per_day
            )
        )
    if by_voter:
        db.session.execute(
            VoteVoter.__table__.insert().from_select(
                ["segment", "organisation", "user_id", "last_voted_at"], per_voter
            )
        )
