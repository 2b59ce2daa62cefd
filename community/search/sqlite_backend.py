"""The embedded search backend: SQLite FTS5 in a file of its own, for English and Chinese.

Text is analysed in Python (``analysis.py``: jieba for Chinese, Snowball stemming for
English) and stored as space-separated terms in FTS5 tables (``index_tables.py``), so FTS5
does the matching and BM25 ranking in C. Access rules, facet filters and facet counts are
plain SQL over a ``documents`` table joined to the matches, in the same statement as the
match (``filters.py``), so a user's query text (which only ever becomes quoted FTS5 terms,
``parsing.py``) cannot widen them. Snippets are cut by ``highlight.py``, corrections found
by ``spelling.py``; this module holds the backend itself: its transactions, writes and
rebuilds, and the steps of a search.

The index lives apart from the application database: it is derived data, rebuilt from the
database at will, and it works the same whether the application uses SQLite or PostgreSQL.
``index_store.py`` keeps its files: a rebuild writes a new file and publishes it at once, a
file deleted by hand means no results (not an error) until the next write starts a new one.
WAL mode lets searches run while another process writes; writers from several processes wait
for each other (``busy_timeout``).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from community.search import index_tables
from community.search.backend import (
    Access,
    SearchBackend,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from community.search.filters import Filter, filter_for, match
from community.search.highlight import Highlighter
from community.search.index_store import IndexBusy, IndexStore, OpenIndex, sync_file
from community.search.index_tables import COLUMNS, SCHEMA_VERSION, decode_document
from community.search.parsing import ParsedQuery, parse_query, quote, suggest_terms
from community.search.sampling import Sampled, by_date, estimated_facets, ranked_broad
from community.search.spelling import corrected

RANK = "bm25(terms, 2.0, 1.0, 1.5, 0.0)"  # title, body, tags; never the meta column
TITLE_RANK = "bm25(title_terms, 1.0, 0.0)"
SAMPLE = 1000  # a search ranks and facets at most this many of its newest matches
SUGGEST_SAMPLE = 500
SEARCHED = "title body tags"  # the columns a search matches (suggestions: ``words``)


class SqliteBackend(SearchBackend):
    """Search backed by SQLite FTS5 in the directory ``path``; one connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = IndexStore(path, SCHEMA_VERSION, index_tables.create)

    @property
    def file(self) -> str | None:
        """The file of the index in use (None while it is missing)."""
        return self.store.current_path()

    @staticmethod
    @contextmanager
    def _transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        con.execute("BEGIN IMMEDIATE")  # waits (busy_timeout) for other processes' writes
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[OpenIndex | None]:
        """The current index, in one snapshot for the statements of a search (hits and facets
        agree); None while there is no index."""
        index = self.store.checkout()
        if index is None:
            yield None
            return
        index.con.execute("BEGIN")
        try:
            yield index
        finally:
            index.con.execute("COMMIT")

    # Writing

    def _write(self, con, upserts: list[SearchDocument], removals: list[str]) -> None:
        for doc_id in removals:
            index_tables.remove(con, doc_id)
        for doc in upserts:
            index_tables.remove(con, doc.id)
            index_tables.insert(con, doc)
        if not con.execute("SELECT 1 FROM rebuilding").fetchone():
            return
        if self.store.rebuild_running():  # log the changes, to be replayed into the new index
            con.executemany(
                "INSERT INTO changes (doc_id, doc) VALUES (?, ?)",
                [(doc_id, None) for doc_id in removals]
                + [(doc.id, index_tables.encode_document(doc)) for doc in upserts],
            )
        else:  # the process rebuilding died without cleaning up
            con.execute("DELETE FROM rebuilding")
            con.execute("DELETE FROM changes")

    def apply(self, upserts: Iterable[SearchDocument], removals: Iterable[str]) -> None:
        upserts, removals = list(upserts), list(removals)
        for _attempt in range(5):
            index = self.store.checkout()
            if index is None:
                self.store.start_generation(partial=True)
                continue
            with self._transaction(index.con) as con:
                # A rebuild publishes its index while it holds this one's write lock: checked
                # once the lock is ours, a write never lands in an index that was replaced.
                if not self.store.is_current(index):
                    continue
                self._write(con, upserts, removals)
            if self.store.is_current(index):
                return
            # The file was deleted or replaced since: write the changes to the current one.
        raise IndexBusy("the search index kept changing while it was written")

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Build a new index from ``documents`` in a file of its own, then publish it at once;
        the index in use answers searches until then. ``documents`` must be read from the
        database as they are consumed (a generator), so that every change committed before
        a document is read is in it, and every change after that is logged: while the
        rebuild runs, writes to the index in use also record their changes there, and they
        are replayed into the new index under the old one's write lock, just before it is
        published. One rebuild at a time: :class:`IndexBusy` if another one is running."""
        with self.store.lock():
            old = self.store.checkout(report=False)
            if old is not None:
                with self._transaction(old.con) as con:
                    con.execute("DELETE FROM changes")
                    con.execute("DELETE FROM rebuilding")
                    con.execute("INSERT INTO rebuilding (started) VALUES (?)", (time.time(),))
            path = self.store.new_path()
            try:
                count = self._build(path, documents)
                self._publish_rebuilt(old, path)
            except BaseException:
                self.store.remove(path)
                if old is not None:
                    with contextlib.suppress(sqlite3.Error), self._transaction(old.con) as con:
                        con.execute("DELETE FROM rebuilding")
                        con.execute("DELETE FROM changes")
                raise
            self.store.drop()
            self.store.remove_all_but(path)
        return count

    def _build(self, path: str, documents: Iterable[SearchDocument]) -> int:
        """Write every document into the new file ``path``, which nothing reads yet.

        Documents go in oldest first, so row ids follow time and "newest matches" is a quick
        walk backwards through FTS5's row ids (see ``search``).
        """
        count = 0
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = OFF")  # a half-built file is thrown away
            con.execute("PRAGMA synchronous = OFF")  # synced once, when complete
            con.execute("PRAGMA cache_size = -65536")
            con.execute("BEGIN")
            index_tables.create(con)
            con.execute("CREATE TEMP TABLE staged (updated REAL, n INTEGER, doc TEXT)")
            for n, doc in enumerate(documents):
                con.execute(
                    "INSERT INTO temp.staged VALUES (?, ?, ?)",
                    (
                        index_tables.timestamp(doc.updated or doc.created),
                        n,
                        index_tables.encode_document(doc),
                    ),
                )
            for (text,) in con.execute("SELECT doc FROM temp.staged ORDER BY updated, n"):
                index_tables.insert(con, decode_document(text))
                count += 1
            con.execute("DROP TABLE temp.staged")
            for table in ("terms", "title_terms"):
                con.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608
            con.execute("COMMIT")
            con.execute("PRAGMA journal_mode = WAL")
        finally:
            con.close()
        sync_file(path)
        return count

    def _publish_rebuilt(self, old: OpenIndex | None, path: str) -> None:
        """Replay into ``path`` what was written to ``old`` during the rebuild, and publish
        it, holding ``old``'s write lock so that no write lands in ``old`` after the replay."""
        if old is None:
            self.store.publish(path)
            return
        new = self.store.connect(path)
        try:
            with self._transaction(old.con) as logged:
                changes = logged.execute("SELECT doc_id, doc FROM changes ORDER BY seq")
                with self._transaction(new) as con:
                    for doc_id, doc in changes:
                        index_tables.remove(con, doc_id)
                        if doc is not None:
                            index_tables.insert(con, decode_document(doc))
                self.store.publish(path)
        finally:
            new.close()

    # Reading

    def search(self, query: SearchQuery) -> SearchResults:
        """Results for ``query``, with work bounded whatever the index size.

        The newest ``SAMPLE`` matches are read first (a quick walk backwards through row ids).
        If that is all of them, they are ranked by BM25 and counted exactly. A broader search —
        words found in more documents than that — reports its exact total, ranks the sample
        with title matches first and then newest first, and estimates facet counts from the
        sample (``SearchResults.sampled``): BM25 reads every posting of every word to weigh
        it, which at 100,000 documents costs more than a search may take, and a word found
        everywhere says little about which document is best anyway.
        """
        parsed = parse_query(query.text)
        if parsed.expression is None:
            return SearchResults(hits=[], total=0, page=1, pages=0)
        rules = filter_for(query)
        matching = match(SEARCHED, parsed.expression, rules)
        with self._read() as index:
            if index is None:
                return SearchResults(hits=[], total=0, page=1, pages=0, incomplete=True)
            con, incomplete = index.con, index.partial
            sample, broad = self._newest_matches(con, parsed, rules)
            if not sample:
                suggestion = self._did_you_mean(con, parsed, rules)
                return SearchResults(
                    hits=[], total=0, page=1, pages=0, suggestion=suggestion, incomplete=incomplete
                )
            total = self._count(con, matching) if broad else len(sample)
            ranked = self._ranked(con, sample, query.sort, broad, parsed, matching)
            page = max(query.page, 1)
            start = (page - 1) * query.per_page
            chosen = [row.rowid for row in ranked[start : start + query.per_page]]
            rows = self._documents(con, chosen)
        highlighter = Highlighter(parsed)
        return SearchResults(
            hits=[index_tables.hit(rows[r], highlighter) for r in chosen if r in rows],
            total=total,
            page=page,
            pages=math.ceil(len(sample) / query.per_page),
            facets=estimated_facets(sample, total),
            sampled=len(sample) if broad else 0,
            incomplete=incomplete,
        )

    def _newest_matches(self, con, parsed: ParsedQuery, rules: Filter) -> tuple[list, bool]:
        """A search's sample: its newest ``SAMPLE`` matches that pass ``rules``, and whether
        there were more. The newest matches are filtered in SQL; if the rules leave too few of
        them, the newest matches that pass them inside FTS5 are read instead (slower, but
        complete)."""
        sample, broad = self._sample(con, match(SEARCHED, parsed.expression), rules)
        if broad and len(sample) < SAMPLE // 2 and rules.narrows_matches:
            sample, broad = self._sample(con, match(SEARCHED, parsed.expression, rules), rules)
        return sample, broad

    @staticmethod
    def _sample(con, matching: str, rules: Filter) -> tuple[list[Sampled], bool]:
        """The newest ``SAMPLE`` rows matching ``matching`` that pass ``rules``' SQL condition,
        and whether there were more matches than that."""
        rows = con.execute(
            "SELECT s.rowid, d.kind, d.space_id, d.status, d.tags, d.updated, d.title_terms, "  # noqa: S608
            f"({rules.where}) FROM (SELECT rowid FROM terms WHERE terms MATCH ? "
            "ORDER BY rowid DESC LIMIT ?) s JOIN documents d ON d.rowid = s.rowid",
            [*rules.params, matching, SAMPLE + 1],
        ).fetchall()
        found = [Sampled(*row[:7]) for row in rows if row[7]]
        return found[:SAMPLE], len(rows) > SAMPLE

    @staticmethod
    def _count(con, matching: str) -> int:
        """How many documents match (the rules applied inside FTS5): exact, and quick."""
        return con.execute("SELECT count(*) FROM terms WHERE terms MATCH ?", [matching]).fetchone()[
            0
        ]

    @staticmethod
    def _ranked(
        con, sample: list[Sampled], sort: str, broad: bool, parsed: ParsedQuery, matching: str
    ) -> list[Sampled]:
        """``sample`` in the order shown: newest first when sorted by date; else by BM25, or,
        for a broad search, by how many query terms the title holds and then newest first."""
        if sort == "date":
            return by_date(sample)
        if broad:
            return ranked_broad(sample, parsed.terms)
        scores = dict(
            con.execute(f"SELECT rowid, {RANK} FROM terms WHERE terms MATCH ?", [matching])  # noqa: S608
        )
        return sorted(sample, key=lambda row: (scores.get(row.rowid, 0.0), -row.rowid))

    @staticmethod
    def _documents(con, rowids: list[int]) -> dict[int, tuple]:
        """The stored rows (:data:`~index_tables.COLUMNS`) of ``rowids``, by row id."""
        if not rowids:
            return {}
        return {
            row[0]: row
            for row in con.execute(
                f"SELECT {COLUMNS} FROM documents "  # noqa: S608
                f"WHERE rowid IN ({', '.join('?' * len(rowids))})",
                rowids,
            )
        }

    @staticmethod
    def _did_you_mean(con, parsed: ParsedQuery, rules: Filter) -> str | None:
        """A corrected query, offered only if it finds something this user may see (the
        spelling dictionary holds the words of every document, private ones included)."""
        text = corrected(con, parsed.words)
        if text is None:
            return None
        reparsed = parse_query(text)
        if reparsed.expression is None:
            return None
        visible = con.execute(
            "SELECT 1 FROM terms JOIN documents d ON d.rowid = terms.rowid "  # noqa: S608
            f"WHERE terms MATCH ? AND {rules.where} LIMIT 1",
            [match(SEARCHED, reparsed.expression, rules), *rules.params],
        ).fetchone()
        return text if visible else None

    def suggest(
        self,
        text: str,
        access: Access,
        kinds: tuple[str, ...] = (),
        limit: int = 8,
        space_id: str = "",
    ) -> list[SearchHit]:
        items = suggest_terms(text, quote, lambda term: quote(term) + "*")
        if not items:
            return []
        rules = filter_for(SearchQuery(text="", access=access, kinds=kinds, space_id=space_id))
        sql = (
            f"SELECT {', '.join('d.' + c.strip() for c in COLUMNS.split(','))} "  # noqa: S608
            f"FROM (SELECT rowid, {TITLE_RANK} AS score FROM title_terms "
            "WHERE title_terms MATCH ? ORDER BY rowid DESC LIMIT ?) s "
            f"JOIN documents d ON d.rowid = s.rowid WHERE {rules.where} ORDER BY s.score LIMIT ?"
        )
        with self._read() as index:
            if index is None:
                return []
            con = index.con
            every_word = match("words", " AND ".join(items), rules)
            rows = con.execute(sql, [every_word, SUGGEST_SAMPLE, *rules.params, limit]).fetchall()
            if len(rows) < limit and len(items) > 1:  # then the titles with most of the words
                seen = {row[0] for row in rows}
                any_word = match("words", " OR ".join(items), rules)
                more = con.execute(
                    sql, [any_word, SUGGEST_SAMPLE, *rules.params, limit * 2]
                ).fetchall()
                rows += [row for row in more if row[0] not in seen][: limit - len(rows)]
        return [index_tables.hit(row) for row in rows]

    def matching_ids(self, text: str, access: Access, kind: str, limit: int) -> list[str]:
        parsed = parse_query(text)
        if parsed.expression is None:
            return []
        rules = filter_for(SearchQuery(text=text, access=access, kinds=(kind,)))
        with self._read() as index:
            if index is None:
                return []
            rows = index.con.execute(
                "SELECT d.doc_id FROM (SELECT rowid FROM terms WHERE terms MATCH ? "  # noqa: S608
                "ORDER BY rowid DESC LIMIT ?) s JOIN documents d ON d.rowid = s.rowid "
                f"WHERE {rules.where}",
                [match(SEARCHED, parsed.expression, rules), limit, *rules.params],
            )
            return [doc_id for (doc_id,) in rows]

    def counts(self) -> dict[str, int]:
        with self._read() as index:
            if index is None:
                return {}
            rows = index.con.execute("SELECT kind, count(*) FROM documents GROUP BY kind")
            return dict(rows)

    def document_ids(self, kind: str) -> set[str]:
        with self._read() as index:
            if index is None:
                return set()
            rows = index.con.execute("SELECT doc_id FROM documents WHERE kind = ?", (kind,))
            return {doc_id for (doc_id,) in rows}
