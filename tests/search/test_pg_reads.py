"""How the PostgreSQL backend reads a search's matches: what each search statement reads
(not how long it takes: bench/search_bench.py --postgres measures that), and that what
changes between its statements under READ COMMITTED (a document re-indexed or removed by a
concurrent write) is left out, never an error."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from community.extensions import db
from community.search import pg_backend
from community.search.backend import Access, SearchDocument, SearchQuery

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@pytest.fixture
def small_sample(monkeypatch):
    monkeypatch.setattr(pg_backend, "SAMPLE", 4)


START = datetime(2026, 1, 1, tzinfo=UTC)


def _pumps(count: int, private=()) -> list[SearchDocument]:
    return [
        SearchDocument(
            id=f"thread:{n}",
            kind="thread",
            title=f"Pump {n}",
            body="pump" + (" valve" if n % 3 == 0 else ""),
            url=f"/t/{n}",
            space_id="2" if n in private else "1",
            visibility="private" if n in private else "public",
            updated=START + timedelta(days=n),
        )
        for n in range(1, count + 1)
    ]


@contextmanager
def reads_of_matches(app):
    """The statements that read matching documents (``terms @@``; plans are not reads)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if "terms @@" in statement and not statement.startswith("EXPLAIN"):
            statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)


def test_a_countable_search_reads_its_matches_once_for_sample_and_total(app, backend, small_sample):
    """Up to EXACT_COUNT matches the total is exact: the sample and the count come from one
    pass over the matches, not a second statement reading them all again."""
    backend.rebuild(_pumps(30, private={29, 30}))
    with reads_of_matches(app) as statements:
        results = backend.search(SearchQuery(text="pump", access=Access()))
    assert results.total == 28 and not results.estimated_total and results.sampled == 4
    assert [h.id for h in results.hits] == [f"thread:{n}" for n in (28, 27, 26, 25)]
    assert len(statements) == 1
    assert sum(results.facets["kind"].values()) == 28


def test_a_search_with_too_many_matches_to_count_reads_only_its_sample(
    app, backend, small_sample, monkeypatch
):
    """Above EXACT_COUNT (as the planner estimates) the total is the estimate and only the
    newest matches are read; an estimate far too high for what is found gives the exact
    total of those found instead."""
    backend.rebuild(_pumps(200, private=set(range(150, 201))))
    monkeypatch.setattr(pg_backend, "EXACT_COUNT", 5)
    with reads_of_matches(app) as statements:
        valves = backend.search(SearchQuery(text="valve", access=Access(), sort="date"))
    assert len(statements) == 1 and "count(" not in statements[0]
    assert [h.id for h in valves.hits] == [f"thread:{n}" for n in (147, 144, 141, 138)]
    assert valves.sampled == 4 and valves.estimated_total and valves.total > 4
    monkeypatch.setattr(pg_backend, "_estimate", lambda matching, params: 1_000_000)
    few = backend.search(SearchQuery(text="pump 7", access=Access()))
    assert [h.id for h in few.hits] == ["thread:7"]
    assert few.total == 1 and not few.estimated_total and few.sampled == 0


def test_the_gin_indexes_have_no_pending_list_for_searches_to_scan(app):
    """New entries go into the GIN indexes at once (``fastupdate`` off), not into a pending
    list that every search scans whole until a vacuum merges it."""
    with app.app_context():
        options = dict(
            db.session.execute(
                text(
                    "SELECT c.relname, c.reloptions FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                    "WHERE i.indrelid = 'search_documents'::regclass AND a.amname = 'gin'"
                )
            ).all()
        )
    assert options == {
        name: ["fastupdate=off"]
        for name in (
            "search_documents_terms",
            "search_documents_title_words",
            "search_documents_tag_list",
        )
    }


def test_a_document_removed_while_a_search_ranks_is_left_out(backend, monkeypatch):
    backend.rebuild(
        SearchDocument(id=f"thread:{n}", kind="thread", title=f"Pump {n}", body="", url="/")
        for n in range(1, 4)
    )
    scores = pg_backend.PostgresBackend._scores

    def removed_meanwhile(ids, ts):
        backend.apply([], ["thread:2"])  # another connection, committed
        return scores(ids, ts)

    monkeypatch.setattr(pg_backend.PostgresBackend, "_scores", staticmethod(removed_meanwhile))
    results = backend.search(SearchQuery(text="pump", access=Access(everything=True)))
    assert sorted(h.id for h in results.hits) == ["thread:1", "thread:3"]
