"""The embedded search backend: SQLite FTS5 in a file of its own, for English and Chinese.

Text is analysed in Python (``analysis.py``: jieba for Chinese, Snowball stemming for
English) and stored as space-separated terms in FTS5 tables, so FTS5 does the matching and
BM25 ranking in C. Access rules, facet filters and facet counts are plain SQL over a
``documents`` table joined to the matches, in the same statement as the match, so a user's
query text (which only ever becomes quoted FTS5 terms) cannot widen them.

The index lives apart from the application database: it is derived data, rebuilt from the
database at will, and it works the same whether the application uses SQLite or PostgreSQL.
``index_store.py`` keeps its files: a rebuild writes a new file and publishes it at once, a
file deleted by hand means no results (not an error) until the next write starts a new one.
WAL mode lets searches run while another process writes; writers from several processes wait
for each other (``busy_timeout``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import json
import logging
import math
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from community.search.analysis import (
    STOP_WORDS,
    normalise,
    spelling_pairs,
    surface_words,
    terms,
)
from community.search.backend import (
    OPEN_VISIBILITIES,
    SITE_WIDE,
    Access,
    SearchBackend,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    clean_query_text,
)
from community.search.index_store import IndexBusy, IndexStore, OpenIndex, sync_file

log = logging.getLogger(__name__)

SCHEMA_VERSION = 5
STORED_BODY_CHARS = 4000
MAX_QUERY_TERMS = 24
TAG_FACET_SIZE = 30
SNIPPET_CHARS = 240
RANK = "bm25(terms, 2.0, 1.0, 1.5, 0.0)"  # title, body, tags; never the meta column
TITLE_RANK = "bm25(title_terms, 1.0, 0.0)"
SAMPLE = 1000  # a search ranks and facets at most this many of its newest matches
SUGGEST_SAMPLE = 500
MIN_PREFIX = 2  # a shorter last word is not expanded as a prefix (it would match everything)

SCHEMA = """
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    space_id TEXT NOT NULL,
    visibility TEXT NOT NULL,
    status TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    space_name TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    url TEXT NOT NULL,
    created REAL,
    updated REAL,
    title_terms TEXT NOT NULL
);
CREATE INDEX documents_kind ON documents (kind);
CREATE INDEX documents_updated ON documents (updated);
CREATE TABLE document_tags (
    doc INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (doc, tag)
) WITHOUT ROWID;
CREATE INDEX document_tags_tag ON document_tags (tag, doc);
CREATE VIRTUAL TABLE terms USING fts5 (
    title, body, tags, meta, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE title_terms USING fts5 (
    words, meta, prefix = '2 3', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE vocabulary USING fts5vocab (terms, 'row');
CREATE TABLE spelling (word TEXT PRIMARY KEY, term TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE rebuilding (started REAL NOT NULL);
CREATE TABLE changes (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, doc TEXT);
"""
COLUMNS = (
    "rowid, doc_id, kind, space_id, visibility, status, author_id, author_name, space_name, "
    "title, body, tags, url, created, updated"
)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def encode_document(doc: SearchDocument) -> str:
    """``doc`` as JSON, for the rebuild's staging table and the changes it replays."""
    values = dataclasses.asdict(doc)
    for name in ("created", "updated"):
        values[name] = values[name].isoformat() if values[name] else None
    return json.dumps(values, ensure_ascii=False)


def decode_document(text: str) -> SearchDocument:
    values = json.loads(text)
    for name in ("created", "updated"):
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    return SearchDocument(**{**values, "tags": tuple(values["tags"])})


def _timestamp(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def meta_token(field_code: str, value: str) -> str:
    """A term for the ``meta`` column: filters and access rules become FTS5 terms, so the
    engine applies them while matching. Values are hashed into one plain token each."""
    return field_code + hashlib.blake2s(value.encode(), digest_size=6).hexdigest()


CLOSED = meta_token("c", "closed")  # on documents not in OPEN_VISIBILITIES


def _meta_terms(doc: SearchDocument, tags: list[str]) -> str:
    values = [
        meta_token("k", doc.kind),
        meta_token("s", doc.space_id or SITE_WIDE),
        meta_token("v", doc.visibility or "public"),
        meta_token("u", doc.status or ""),
    ]
    values += [meta_token("t", tag) for tag in tags]
    if (doc.visibility or "public") not in OPEN_VISIBILITIES:
        values.append(CLOSED)
    return " ".join(values)


def _any(field_code: str, values) -> str:
    return " OR ".join(_quote(meta_token(field_code, v)) for v in sorted(values))


@dataclass
class ParsedQuery:
    """A user's text as an FTS5 expression made only of quoted terms and operators."""

    expression: str | None
    terms: list[str] = field(default_factory=list)  # the positive terms (for highlighting)
    words: list[str] = field(default_factory=list)  # the positive words as typed (folded)


_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> ParsedQuery:
    """Words are ANDed; ``OR`` separates alternatives; ``"a b"`` is a phrase; ``-word``
    excludes. Anything else is text: field syntax, wildcards and brackets are just words."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    positive_terms: list[str] = []
    words: list[str] = []
    budget = MAX_QUERY_TERMS
    for match in _ITEM.finditer(clean_query_text(text)):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if word == "OR":
            groups.append(([], []))
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = True, word[1:]
        source = phrase if phrase is not None else word
        found = terms(source)[:budget]
        if not found:
            continue
        budget -= len(found)
        if phrase is not None:
            item = _quote(" ".join(found))
        else:
            item = " AND ".join(_quote(t) for t in found)
            if len(found) > 1:
                item = f"({item})"
        positives, negatives = groups[-1]
        if negated:
            negatives.append(item)
        else:
            positives.append(item)
            positive_terms.extend(found)
            words.extend(w for w in re.findall(r"\w+", normalise(source).casefold()))
        if budget <= 0:
            break
    clauses = []
    for positives, negatives in groups:
        if not positives:  # a group of exclusions alone would list everything else
            continue
        clause = " AND ".join(positives)
        if negatives:
            clause = f"({clause}) NOT ({' OR '.join(negatives)})"
        clauses.append(f"({clause})")
    expression = " OR ".join(clauses) if clauses else None
    return ParsedQuery(expression, list(dict.fromkeys(positive_terms)), words)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions, giving up above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class SqliteBackend(SearchBackend):
    """Search backed by SQLite FTS5 in the directory ``path``; one connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = IndexStore(path, SCHEMA_VERSION, self._create)

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

    @staticmethod
    def _create(con: sqlite3.Connection) -> None:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # Writing

    def _remove(self, con: sqlite3.Connection, doc_id: str) -> None:
        row = con.execute("SELECT rowid FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return
        for table, column in (
            ("documents", "rowid"),
            ("terms", "rowid"),
            ("title_terms", "rowid"),
            ("document_tags", "doc"),
        ):
            con.execute(f"DELETE FROM {table} WHERE {column} = ?", row)  # noqa: S608

    def _insert(self, con: sqlite3.Connection, doc: SearchDocument) -> None:
        tags = sorted({t.strip().lower() for t in doc.tags if t.strip()})
        title = doc.display_title or doc.title
        title_pairs = surface_words(doc.title)
        title_terms = " ".join(term for term, _ in title_pairs)
        cursor = con.execute(
            f"INSERT INTO documents ({COLUMNS}, title_terms) "  # noqa: S608
            "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.id,
                doc.kind,
                doc.space_id or SITE_WIDE,
                doc.visibility or "public",
                doc.status or "",
                doc.author_id or "",
                doc.author_name,
                doc.space_name,
                title,
                doc.body[:STORED_BODY_CHARS],
                ",".join(tags),
                doc.url,
                _timestamp(doc.created),
                _timestamp(doc.updated),
                title_terms,
            ),
        )
        rowid = cursor.lastrowid
        meta = _meta_terms(doc, tags)
        con.execute(
            "INSERT INTO terms (rowid, title, body, tags, meta) VALUES (?, ?, ?, ?, ?)",
            (
                rowid,
                title_terms,
                " ".join(terms(doc.body)),
                " ".join(terms(" ".join(tags))),
                meta,
            ),
        )
        # Suggestions match what is typed: the words as written and their stems.
        suggest_words = {w for pair in title_pairs for w in pair}
        con.execute(
            "INSERT INTO title_terms (rowid, words, meta) VALUES (?, ?, ?)",
            (rowid, " ".join(sorted(suggest_words)), meta),
        )
        con.executemany(
            "INSERT INTO document_tags (doc, tag) VALUES (?, ?)", [(rowid, t) for t in tags]
        )
        spelling = spelling_pairs(f"{doc.title} {doc.body}")
        if spelling:
            con.executemany(
                "INSERT OR IGNORE INTO spelling (word, term) VALUES (?, ?)", spelling.items()
            )

    def _write(self, con, upserts: list[SearchDocument], removals: list[str]) -> None:
        for doc_id in removals:
            self._remove(con, doc_id)
        for doc in upserts:
            self._remove(con, doc.id)
            self._insert(con, doc)
        if not con.execute("SELECT 1 FROM rebuilding").fetchone():
            return
        if self.store.rebuild_running():  # log the changes, to be replayed into the new index
            con.executemany(
                "INSERT INTO changes (doc_id, doc) VALUES (?, ?)",
                [(doc_id, None) for doc_id in removals]
                + [(doc.id, encode_document(doc)) for doc in upserts],
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
            self._create(con)
            con.execute("CREATE TEMP TABLE staged (updated REAL, n INTEGER, doc TEXT)")
            for n, doc in enumerate(documents):
                con.execute(
                    "INSERT INTO temp.staged VALUES (?, ?, ?)",
                    (_timestamp(doc.updated or doc.created), n, encode_document(doc)),
                )
            for (text,) in con.execute("SELECT doc FROM temp.staged ORDER BY updated, n"):
                self._insert(con, decode_document(text))
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
                        self._remove(con, doc_id)
                        if doc is not None:
                            self._insert(con, decode_document(doc))
                self.store.publish(path)
        finally:
            new.close()

    # Reading

    def _filter(self, query: SearchQuery) -> tuple[str, str, str, list]:
        """``query``'s access rules and facet filters twice over: as FTS5 expressions on the
        meta column — what a match must have, and what it must not — applied while matching
        (so counts are quick), and as SQL conditions on ``d`` (documents) that every row
        shown or counted in facets also passes."""
        access = query.access
        required: list[str] = []
        excluded: list[str] = []
        clauses: list[str] = []
        params: list = []

        def among(column: str, values) -> None:
            values = sorted(values)
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)

        def meta(values: str) -> str:
            return f"({{meta}} : ({values}))"

        if not access.everything:
            spaces = access.space_ids | {SITE_WIDE}
            if set(access.open_visibilities) == set(OPEN_VISIBILITIES):
                # Exclusions are much cheaper for FTS5 than "open OR one of these spaces".
                excluded.append(f"({meta(_quote(CLOSED))} NOT {meta(_any('s', spaces))})")
            else:
                required.append(
                    meta(f"{_any('v', access.open_visibilities)} OR {_any('s', spaces)}")
                )
            clauses.append(
                f"(d.visibility IN ({', '.join('?' * len(access.open_visibilities))})"
                f" OR d.space_id IN ({', '.join('?' * len(spaces))}))"
            )
            params += sorted(access.open_visibilities) + sorted(spaces)
            if access.masked_space_ids:
                excluded.append(meta(_any("s", access.masked_space_ids)))
                among("d.space_id NOT", access.masked_space_ids)
        if query.kinds:
            required.append(meta(_any("k", query.kinds)))
            among("d.kind", query.kinds)
        if query.space_id:
            required.append(meta(_any("s", [query.space_id])))
            among("d.space_id", [query.space_id])
        if query.status:
            required.append(meta(_any("u", [query.status])))
            among("d.status", [query.status])
        if query.tag:
            tag = query.tag.strip().lower()
            required.append(meta(_any("t", [tag])))
            clauses.append("d.rowid IN (SELECT doc FROM document_tags WHERE tag = ?)")
            params.append(tag)
        return " AND ".join(required), " OR ".join(excluded), " AND ".join(clauses) or "1", params

    @staticmethod
    def _match(columns: str, expression: str, required: str, excluded: str) -> str:
        match = f"({{{columns}}} : ({expression}))"
        if required:
            match = f"{match} AND {required}"
        if excluded:
            match = f"({match}) NOT ({excluded})"
        return match

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
        page = max(query.page, 1)
        if parsed.expression is None:
            return SearchResults(hits=[], total=0, page=1, pages=0)
        required, excluded, where, params = self._filter(query)
        match = self._match("title body tags", parsed.expression, required, excluded)
        plain = self._match("title body tags", parsed.expression, "", "")
        with self._read() as index:
            if index is None:
                return SearchResults(hits=[], total=0, page=1, pages=0, incomplete=True)
            con, incomplete = index.con, index.partial
            # The newest matches, filtered in SQL; if rules and filters leave too few of
            # them, the newest matches that pass them inside FTS5 (slower, but complete).
            sample, broad = self._sample(con, plain, where, params)
            if broad and len(sample) < SAMPLE // 2 and (required or excluded):
                sample, broad = self._sample(con, match, where, params)
            if not sample:
                suggestion = self._did_you_mean(con, query, parsed)
                return SearchResults(
                    hits=[], total=0, page=1, pages=0, suggestion=suggestion, incomplete=incomplete
                )
            total = len(sample)
            if broad:
                total = con.execute(
                    "SELECT count(*) FROM terms WHERE terms MATCH ?", [match]
                ).fetchone()[0]
            if query.sort == "date":
                sample.sort(key=lambda row: (row[5] or 0, row[0]), reverse=True)
            elif broad:
                wanted = set(parsed.terms)
                sample.sort(key=lambda row: (-len(wanted.intersection(row[6].split())), -row[0]))
            else:
                scores = dict(
                    con.execute(f"SELECT rowid, {RANK} FROM terms WHERE terms MATCH ?", [match])  # noqa: S608
                )
                sample.sort(key=lambda row: (scores.get(row[0], 0.0), -row[0]))
            start = (page - 1) * query.per_page
            chosen = [row[0] for row in sample[start : start + query.per_page]]
            rows = {}
            if chosen:
                rows = {
                    row[0]: row
                    for row in con.execute(
                        f"SELECT {COLUMNS} FROM documents "  # noqa: S608
                        f"WHERE rowid IN ({', '.join('?' * len(chosen))})",
                        chosen,
                    )
                }
        scale = total / len(sample)
        tags = Counter(tag for row in sample if row[4] for tag in row[4].split(","))
        facets = {
            "kind": Counter(row[1] for row in sample),
            "space_id": Counter(row[2] for row in sample),
            "status": Counter(row[3] for row in sample if row[3]),
            "tags": dict(tags.most_common(TAG_FACET_SIZE)),
        }
        highlighter = Highlighter(parsed)
        return SearchResults(
            hits=[self._hit(rows[r], highlighter) for r in chosen if r in rows],
            total=total,
            page=page,
            pages=math.ceil(len(sample) / query.per_page),
            facets={
                name: {value: round(count * scale) for value, count in counter.items()}
                for name, counter in facets.items()
            },
            sampled=len(sample) if broad else 0,
            incomplete=incomplete,
        )

    @staticmethod
    def _sample(con, match: str, where: str, params: list) -> tuple[list, bool]:
        """The newest ``SAMPLE`` rows matching ``match`` that pass ``where``, and whether
        there were more matches than that."""
        rows = con.execute(
            "SELECT s.rowid, d.kind, d.space_id, d.status, d.tags, d.updated, d.title_terms, "  # noqa: S608
            f"({where}) FROM (SELECT rowid FROM terms WHERE terms MATCH ? "
            "ORDER BY rowid DESC LIMIT ?) s JOIN documents d ON d.rowid = s.rowid",
            [*params, match, SAMPLE + 1],
        ).fetchall()
        found = [row[:7] for row in rows if row[7]]
        return found[:SAMPLE], len(rows) > SAMPLE

    def _did_you_mean(self, con, query: SearchQuery, parsed: ParsedQuery) -> str | None:
        """A corrected query, offered only if it finds something this user may see (the
        spelling dictionary holds the words of every document, private ones included)."""
        words = parsed.words
        if not words or len(words) > 6:
            return None
        corrected, changed = [], False
        for word in words:
            term = terms(word)
            known = (
                term
                and con.execute("SELECT 1 FROM vocabulary WHERE term = ?", (term[0],)).fetchone()
            )
            if known or not word.isascii() or not word.isalpha() or len(word) < 4:
                corrected.append(word)
                continue
            best = self._closest(con, word)
            if best is None:
                corrected.append(word)
                continue
            corrected.append(best)
            changed = True
        if not changed:
            return None
        text = " ".join(corrected)
        reparsed = parse_query(text)
        if reparsed.expression is None:
            return None
        required, excluded, where, params = self._filter(query)
        visible = con.execute(
            "SELECT 1 FROM terms JOIN documents d ON d.rowid = terms.rowid "  # noqa: S608
            f"WHERE terms MATCH ? AND {where} LIMIT 1",
            [self._match("title body tags", reparsed.expression, required, excluded), *params],
        ).fetchone()
        return text if visible else None

    def _closest(self, con, word: str) -> str | None:
        """The most common known word within two edits of ``word`` sharing its first two
        letters (which keeps the scan to a small range of the dictionary)."""
        prefix = word[:2]
        limit = 1 if len(word) < 6 else 2
        candidates = con.execute(
            "SELECT s.word, v.doc FROM spelling s JOIN vocabulary v ON v.term = s.term "
            "WHERE s.word >= ? AND s.word < ? AND length(s.word) BETWEEN ? AND ?",
            (prefix, prefix + "\uffff", len(word) - limit, len(word) + limit),
        ).fetchall()
        best: tuple[int, int, str] | None = None
        for candidate, docs in candidates:
            distance = _edit_distance(word, candidate, limit)
            if distance <= limit:
                key = (distance, -docs, candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None

    def suggest(
        self, text: str, access: Access, kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[SearchHit]:
        text = clean_query_text(text)
        words = [w.casefold() for w in re.findall(r"\w+", normalise(text)) if "_" not in w]
        if not words:
            return []
        complete, last = words[:-1], words[-1]
        if text.endswith(" "):
            complete, last = words, ""
        items = [_quote(t) for w in complete for t in (terms(w) or ()) if t]
        if last and (len(last) >= MIN_PREFIX or not last.isascii()):
            if last.isascii():
                items.append(_quote(last) + "*")
            else:
                items += [_quote(t) + "*" for t in terms(last)]
        elif last and not items and last not in STOP_WORDS:
            items.append(_quote(last))  # a single short word: only an exact word match
        items = list(dict.fromkeys(items))[:MAX_QUERY_TERMS]
        if not items:
            return []
        required, excluded, where, params = self._filter(
            SearchQuery(text="", access=access, kinds=kinds)
        )
        sql = (
            f"SELECT {', '.join('d.' + c.strip() for c in COLUMNS.split(','))} "  # noqa: S608
            f"FROM (SELECT rowid, {TITLE_RANK} AS score FROM title_terms "
            "WHERE title_terms MATCH ? ORDER BY rowid DESC LIMIT ?) s "
            f"JOIN documents d ON d.rowid = s.rowid WHERE {where} ORDER BY s.score LIMIT ?"
        )
        with self._read() as index:
            if index is None:
                return []
            con = index.con
            match = self._match("words", " AND ".join(items), required, excluded)
            rows = con.execute(sql, [match, SUGGEST_SAMPLE, *params, limit]).fetchall()
            if len(rows) < limit and len(items) > 1:  # then the titles with most of the words
                seen = {row[0] for row in rows}
                match = self._match("words", " OR ".join(items), required, excluded)
                more = con.execute(sql, [match, SUGGEST_SAMPLE, *params, limit * 2]).fetchall()
                rows += [row for row in more if row[0] not in seen][: limit - len(rows)]
        return [self._hit(row, None) for row in rows]

    def _hit(self, row, highlighter: Highlighter | None) -> SearchHit:
        (
            _rowid,
            doc_id,
            kind,
            space_id,
            _visibility,
            status,
            _author_id,
            author_name,
            space_name,
            title,
            body,
            tags,
            url,
            _created,
            updated,
        ) = row
        return SearchHit(
            id=doc_id,
            kind=kind,
            title=title,
            url=url,
            snippet_html=highlighter.snippet(body) if highlighter else "",
            space_id=space_id,
            space_name=space_name,
            status=status,
            tags=tuple(t for t in tags.split(",") if t),
            author_name=author_name,
            updated=datetime.fromtimestamp(updated, UTC) if updated is not None else None,
        )

    def matching_ids(self, text: str, access: Access, kind: str, limit: int) -> list[str]:
        parsed = parse_query(text)
        if parsed.expression is None:
            return []
        required, excluded, where, params = self._filter(
            SearchQuery(text=text, access=access, kinds=(kind,))
        )
        match = self._match("title body tags", parsed.expression, required, excluded)
        with self._read() as index:
            if index is None:
                return []
            rows = index.con.execute(
                "SELECT d.doc_id FROM (SELECT rowid FROM terms WHERE terms MATCH ? "  # noqa: S608
                "ORDER BY rowid DESC LIMIT ?) s JOIN documents d ON d.rowid = s.rowid "
                f"WHERE {where}",
                [match, limit, *params],
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


class Highlighter:
    """Marks the query's words in a stored text and cuts the best passage around them.

    Works on the original text, not the analysed terms: English words are found by the start
    of their stem (so "calibrating" marks "calibration"), Chinese words as written.
    """

    def __init__(self, parsed: ParsedQuery) -> None:
        latin: set[str] = set()
        other: set[str] = set()
        for value in [*parsed.terms, *parsed.words]:
            (latin if value.isascii() else other).add(value)
        alternatives = [rf"\b{re.escape(w)}\w*" for w in sorted(latin, key=len, reverse=True)]
        alternatives += [re.escape(w) for w in sorted(other, key=len, reverse=True)]
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def snippet(self, text: str) -> str:
        text = " ".join(text.split())
        spans = [m.span() for m in self.pattern.finditer(text)] if self.pattern else []
        if not spans:
            return html.escape(text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else ""))
        # The window holding the most matches, starting a little before the first of them.
        best_start, best_count, j = spans[0][0], 0, 0
        for i, (start, _end) in enumerate(spans):
            j = max(j, i)
            while j < len(spans) and spans[j][1] <= start + SNIPPET_CHARS - 40:
                j += 1
            if j - i > best_count:
                best_start, best_count = start, j - i
        begin = max(0, best_start - 40)
        if begin:
            space = text.rfind(" ", 0, begin + 1)
            begin = space + 1 if space > begin - 20 else begin
        end = min(len(text), begin + SNIPPET_CHARS)
        parts = ["…" if begin else ""]
        cursor = begin
        for start, stop in spans:
            if start < begin or stop > end:
                continue
            parts.append(html.escape(text[cursor:start]))
            parts.append(f"<mark>{html.escape(text[start:stop])}</mark>")
            cursor = stop
        parts.append(html.escape(text[cursor:end]))
        parts.append("…" if end < len(text) else "")
        return "".join(parts)
