"""The list pages read their page in the order of an index and stop, and count their rows from
an index alone: no sort over every thread or idea of a space, whatever their number (#22).

The statements are the ones the pages run, caught as they run, and the database explains how
it would run each: SQLite's ``EXPLAIN QUERY PLAN``, and PostgreSQL's ``EXPLAIN`` with
sequential scans and sorts priced out, so that on a handful of rows it still shows whether an
index can give the order.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from community.extensions import db
from tests.fixtures.postgres import app_on

#: Each list's sort index and what its count reads: an index of the space's rows, or (None)
#: the space's kept counts plus, for someone signed in, the hidden threads they are shown
#: (``ix_threads_space_hidden``, ``ix_ideas_space_hidden``; anonymous visitors are shown none:
#: no count query at all).
THREAD_SORTS = {
    "": ("ix_threads_space_list", None),
    "?sort=newest": ("ix_threads_space_list_newest", None),
    "?sort=helpful": ("ix_threads_space_list_helpful", None),
    "?kind=question": ("ix_threads_space_list", None),
    "?kind=question&status=unanswered": ("ix_threads_space_list", "ix_threads_space_list"),
    "?tag=ct": ("ix_threads_space_list", "ix_threads_space_list"),
}
IDEA_SORTS = {
    "": ("ix_ideas_space_trend", None),
    "?sort=top": ("ix_ideas_space_votes", None),
    "?sort=newest": ("ix_ideas_space_created", None),
    "?sort=updated": ("ix_ideas_space_updated", None),
    "?status=open": ("ix_ideas_space_trend", None),
    "?tag=ct": ("ix_ideas_space_trend", "ix_ideas_space_shown"),
}
HIDDEN_INDEX = {"threads": "ix_threads_space_hidden", "ideas": "ix_ideas_space_hidden"}


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    with app_on(request.param, tmp_path, "cocreate_list_plans") as app:
        yield app


def _statements(app, client, path: str) -> list[tuple]:
    """The statements a request for ``path`` runs, with their parameters."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _list_statements(app, client, path: str, table: str) -> tuple[tuple, list[tuple]]:
    """The page's list query and count queries of ``table``, with their parameters."""
    seen = _statements(app, client, path)
    lists = [s for s in seen if s[0].lstrip().startswith(f"SELECT {table}.id")]
    counts = [s for s in seen if s[0].lstrip().startswith("SELECT count(*)") and table in s[0]]
    assert len(lists) == 1 and len(counts) <= 1, [s[0][:80] for s in seen]
    return lists[0], counts


def _plan(app, statement: str, parameters) -> str:
    with app.app_context():
        conn = db.session.connection()
        if db.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plan = "\n".join(row[3] for row in rows)
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_sort = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
            plan = "\n".join(row[0] for row in rows)
        db.session.rollback()
        return plan


def _check(
    app, client, path: str, table: str, index: str, count_index: str | None, signed_in: bool
) -> None:
    """The list reads ``index`` in order; its count reads ``count_index`` alone or, when
    None, the kept counts: no count query for anonymous visitors, the hidden threads shown to
    someone signed in through their own index."""
    (statement, parameters), counts = _list_statements(app, client, path, table)
    plan = _plan(app, statement, parameters)
    if count_index is None and not signed_in:
        assert counts == [], (path, counts)
    else:
        assert len(counts) == 1, (path, "no count")
    # PostgreSQL picks among the space's indexes by costs a handful of rows cannot tell apart,
    # save the hidden threads' index, the only one with their entries alone.
    kept = count_index is None
    count_index = count_index or HIDDEN_INDEX[table]
    counted = [_plan(app, count, count_parameters) for count, count_parameters in counts]
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in plan, (path, plan)
        assert f"INDEX {index} " in plan, (path, plan)
        for count_plan in counted:
            assert f"COVERING INDEX {count_index} " in count_plan, (path, count_plan)
    else:
        assert "Sort" not in plan, (path, plan)
        assert f"Index Scan Backward using {index} " in plan, (path, plan)
        # Whether PostgreSQL reads the index alone depends on its visibility map (kept by
        # vacuum), which a test's fresh rows are not in yet. A filtered count may read any
        # index that narrows it (with a handful of rows, the kinds' index costs the same as
        # the space's: CI saw either); the hidden rows' count has one index made for it.
        for count_plan in counted:
            assert "Seq Scan" not in count_plan, (path, count_plan)
            if kept:
                assert f"using {count_index} " in count_plan, (path, count_plan)


@pytest.mark.parametrize("visitor", ["anonymous", "member"])
def test_thread_list_reads_an_index_in_order_and_counts_from_it(
    app, client, cast, login, create_thread, create_idea, visitor
):
    create_thread(cast.space, cast.asker, tags="ct")
    create_thread(cast.space, cast.member, kind="question")
    create_idea(cast.space, cast.asker)
    if visitor == "member":
        login(client, cast.member)
    for query, (index, count_index) in THREAD_SORTS.items():
        with app.app_context():
            path = f"/s/{cast.space.slug}{query}"
            _check(app, client, path, "threads", index, count_index, visitor == "member")


@pytest.mark.parametrize("visitor", ["anonymous", "member"])
def test_idea_list_reads_an_index_in_order_and_counts_from_it(
    app, client, cast, login, create_idea, visitor
):
    create_idea(cast.space, cast.asker, tags="ct")
    create_idea(cast.space, cast.member)
    if visitor == "member":
        login(client, cast.member)
    for query, (index, count_index) in IDEA_SORTS.items():
        with app.app_context():
            path = f"/s/{cast.space.slug}/ideas{query}"
            _check(app, client, path, "ideas", index, count_index, visitor == "member")


# On SQLite only: PostgreSQL picks between the staff index and the space's unique (space, user)
# one by statistics that a handful of rows cannot give.
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_space_finds_its_staff_and_an_idea_its_merged_ideas_through_an_index(
    app, client, cast, create_idea
):
    idea = create_idea(cast.space, cast.asker)
    pages = {
        f"/s/{cast.space.slug}": ("memberships.role IN", "ix_memberships_space_role"),
        f"/ideas/{idea.id}": ("ideas.merged_into_id =", "ix_ideas_merged_into"),
    }
    for path, (condition, index) in pages.items():
        with app.app_context():
            [(statement, parameters)] = [
                s for s in _statements(app, client, path) if condition in s[0]
            ]
            plan = _plan(app, statement, parameters)
            assert f"{index} " in plan, (path, plan)
