"""The participation rollup (who took part where, day by day) and the votes rollup (votes
per day, segment and organisation, and each voter's last vote)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from community.database import UTCDateTime
from community.extensions import db


class ActivityDay(db.Model):
    """How many live posts and votes one person made in one space on one UTC day.

    Votes are counted under the segment the voter had when voting (``segment``); posts under
    ``""`` (the dashboard's segment filter reads a poster's current segment, as before the
    rollup), so a row of another segment always counts votes. A row exists only while one of
    its counts is above zero, so "took part" is "has a row". ``week`` (the Monday of ``day``)
    is stored so that weekly counts of distinct people read an index in order; the indexes
    hold ``posts`` (and, on SQLite, the key) so that the segment filter reads no table rows.
    Kept by the receivers in ``community.analytics.receivers``; rebuilt from posts and votes
    by ``flask analytics rebuild`` (``rollup.rebuild``).
    """

    __tablename__ = "activity_days"
    __table_args__ = (
        # Weekly active people: distinct users week by week, in index order.
        Index("ix_activity_days_week_user", "week", "user_id", "space_id", "day", "posts"),
        # New or returning: has this person any row before the range, or in it?
        Index("ix_activity_days_user_day", "user_id", "day", "space_id", "posts"),
        # On SQLite the rows are stored in key order (space, person, day): contributors per
        # space are distinct users read in order, with no sorting. No index starts with the
        # day, so the planner cannot pick a date range that would need sorting instead.
        {"sqlite_with_rowid": False},
    )

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    week: Mapped[date] = mapped_column(Date)
    posts: Mapped[int] = mapped_column(default=0)
    votes: Mapped[int] = mapped_column(default=0)


class ActivityWeek(db.Model):
    """How many posts and votes one person made in one UTC week (``week``: its Monday),
    anywhere: a row per person active that week, from which ``ActivityWeekPeople`` counts the
    people of each week (a row appearing or going changes that count). Kept and rebuilt
    together with ``ActivityDay``.
    """

    __tablename__ = "activity_weeks"
    __table_args__ = ({"sqlite_with_rowid": False},)

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    contributions: Mapped[int] = mapped_column(default=0)


class ActivityWeekPeople(db.Model):
    """How many people took part in a UTC week (``week``: its Monday), anywhere: the number
    of ``ActivityWeek`` rows of that week, kept with them, so that weekly active people over
    a year are fifty-two rows rather than a count over every person of every week."""

    __tablename__ = "activity_week_people"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class VoteDay(db.Model):
    """How many votes were cast on one UTC day with one segment and organisation (as
    recorded on the votes): the votes per segment and per organisation in a date range are a
    few rows per day. A row exists while its count is above zero. Kept with
    :class:`VoteVoter` by the receivers in ``community.analytics.receivers``; rebuilt from the
    votes by ``flask analytics rebuild``."""

    __tablename__ = "vote_days"
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(120), primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)


class VoteVoter(db.Model):
    """Each person who has votes with a segment and organisation (as recorded on the votes),
    and when the last of them was cast. Everyone who voted from a moment up to now is a row
    with ``last_voted_at`` from then on: the distinct voters of a date range that reaches the
    latest vote are read from ``ix_vote_voters_last`` rather than from every vote."""

    __tablename__ = "vote_voters"
    __table_args__ = (
        Index("ix_vote_voters_last", "last_voted_at", "segment", "organisation", "user_id"),
        {"sqlite_with_rowid": False},
    )

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(120), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_voted_at: Mapped[datetime] = mapped_column(UTCDateTime())
