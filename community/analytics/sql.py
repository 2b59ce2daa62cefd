"""SQL building blocks for aggregates that SQLite and PostgreSQL spell differently: time
differences, medians and week buckets. Everything is computed in the database."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, literal_column, select

from community.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def seconds_between(start, end) -> ColumnElement:
    """``end - start`` in seconds, in the database's own date arithmetic."""
    if _dialect() == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def week_of(moment) -> ColumnElement:
    """The Monday of ``moment``'s week, as an ISO date string (``2026-11-23``)."""
    if _dialect() == "sqlite":
        return func.date(moment, "weekday 0", "-6 days")
    return func.to_char(func.date_trunc("week", moment), literal_column("'YYYY-MM-DD'"))


def medians(rows: Select, *, value: str, group: str | None = None) -> dict:
    """The median of column ``value`` in ``rows`` (per ``group`` column if given): the middle
    value, or the mean of the middle two, picked with window functions in one query.
    Returns ``{group: median}`` (``{None: median}`` without a group)."""
    sub = rows.subquery()
    partition = [sub.c[group]] if group else []
    ranked = select(
        *(sub.c[group].label("grp"),) if group else (),
        sub.c[value].label("value"),
        func.row_number().over(partition_by=partition, order_by=sub.c[value]).label("position"),
        # The same window as the row number (a frame over the whole partition), so that
        # both are computed from one sort.
        func.count()
        .over(partition_by=partition, order_by=sub.c[value], rows=(None, None))
        .label("total"),
    ).subquery()
    middle = (ranked.c.position * 2 >= ranked.c.total) & (
        ranked.c.position * 2 <= ranked.c.total + 2
    )
    columns = [ranked.c.grp] if group else []
    stmt = select(*columns, func.avg(ranked.c.value)).where(middle)
    if group:
        stmt = stmt.group_by(ranked.c.grp)
        return {key: float(found) for key, found in db.session.execute(stmt)}
    found = db.session.scalar(stmt)
    return {None: float(found) if found is not None else None}


def median_in_order(rows: Select, value, count: int) -> float | None:
    """The median of ``value`` over ``rows``, of which there are ``count`` (counted before):
    the middle row, or the mean of the middle two, picked with ``LIMIT``/``OFFSET`` in the
    order of ``value``. With an index in that order the database reads up to the middle and
    sorts nothing, where :func:`medians` sorts every row."""
    if count <= 0:
        return None
    middle = rows.order_by(value).limit(2 - count % 2).offset((count - 1) // 2).subquery()
    found = db.session.scalar(select(func.avg(middle.c[0])))
    return float(found) if found is not None else None


def read_in_index_order(condition) -> ColumnElement:
    """``condition`` (a range on an indexed column), marked for SQLite's planner as true for
    most rows, so that it reads a covering index already in the order of the GROUP BY (and
    checks the range there) rather than the range's own index followed by a sort. PostgreSQL
    plans from its statistics and gets the condition as it is."""
    if _dialect() == "sqlite":
        return func.likelihood(condition, literal_column("0.95"))
    return condition
