"""PostgreSQL search reads in several statements under READ COMMITTED: what changes between
them (a document re-indexed or removed by a concurrent write) is left out, never an error."""

from __future__ import annotations

import pytest

from community.search import pg_backend
from community.search.backend import Access, SearchDocument, SearchQuery


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
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
