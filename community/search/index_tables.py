"""The index's tables: the schema of one index file, and how a document is written to them,
removed from them and read back as a search hit.

A ``documents`` table holds what results show and what filters need; the FTS5 table
``terms`` holds each document's analysed title, body and tags (``analysis.py``) beside its
``meta`` terms (``filters.py``), and ``title_terms`` the title's words as typed and their
stems, with prefix indexes, for suggestions. ``spelling`` feeds "did you mean"
(``spelling.py``); ``rebuilding`` and ``changes`` log writes while a rebuild runs
(``sqlite_backend.py``). Documents also travel as JSON (:func:`encode_document`), through a
rebuild's staging table and its log of changes.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime

from community.search.analysis import spelling_pairs, surface_words, terms
from community.search.backend import SITE_WIDE, SearchDocument, SearchHit
from community.search.filters import meta_terms
from community.search.highlight import Highlighter

SCHEMA_VERSION = 5
STORED_BODY_CHARS = 4000

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


def create(con: sqlite3.Connection) -> None:
    """Make the tables in the empty database ``con``."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            con.execute(statement)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


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


def timestamp(moment: datetime | None) -> float | None:
    """``moment`` as seconds since 1970 (a naive one read as UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def remove(con: sqlite3.Connection, doc_id: str) -> None:
    """Delete the document ``doc_id`` from every table (nothing if it is not there)."""
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


def insert(con: sqlite3.Connection, doc: SearchDocument) -> None:
    """Write ``doc`` into every table (after :func:`remove` of any earlier version)."""
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
            timestamp(doc.created),
            timestamp(doc.updated),
            title_terms,
        ),
    )
    rowid = cursor.lastrowid
    meta = meta_terms(doc, tags)
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


def hit(row: tuple, highlighter: Highlighter | None = None) -> SearchHit:
    """A search hit from a row of :data:`COLUMNS`; with a ``highlighter``, a snippet of its
    body too."""
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
