"""Search in PostgreSQL, in the application's own database, for English and Chinese.

Chosen when ``DATABASE_URL`` is PostgreSQL (``service.py``): then every instance searches the
same tables, and a document is written in the same transaction as the content it comes from
(``SearchService.index``), so there is no second store to keep in step.

Text is analysed in Python by the same pipeline as the SQLite backend's (``analysis.py``:
jieba for Chinese, Snowball stems for the rest) and stored as a ``tsvector`` written term by
term (:func:`tsvector`, never parsed by a text search configuration), so both backends find
the same documents for the same words. Queries are ``parsing.tsquery`` texts cast to
``tsquery``: only analysed terms, quoted, and operators; nothing typed reaches
``to_tsquery``. GIN indexes serve matching; ``pg_trgm`` ranks as-you-type suggestions and
finds "did you mean" words. Access rules and facet filters are SQL conditions in the same
statement as the match (:func:`_rules`), so query text cannot widen them. Searches sample the
newest matches as the SQLite backend does (``sampling.py``), which bounds their work.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import text as sql

from community.extensions import db
from community.search import pg_schema  # noqa: F401 - its tables, made by db.create_all too
from community.search.analysis import spelling_pairs, surface_words, terms
from community.search.backend import (
    SITE_WIDE,
    Access,
    SearchBackend,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    clean_query_text,
)
from community.search.highlight import Highlighter
from community.search.index_store import IndexBusy
from community.search.index_tables import STORED_BODY_CHARS, hit, timestamp
from community.search.parsing import ParsedQuery, lexeme, parse_query, suggest_terms, tsquery
from community.search.sampling import Sampled, by_date, estimated_facets, ranked_broad
from community.search.spelling import MAX_CORRECTED_WORDS, edit_distance

SAMPLE = 1000  # a search ranks and facets at most this many of its newest matches
SUGGEST_SAMPLE = 500
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 256  # positions kept per lexeme
RANK_WEIGHTS = "{0.5, 0, 0.75, 1.0}"  # body (D), -, tags (B), title (A): as the FTS5 bm25 weights
REBUILD_LOCK = 0x5EA4C4  # the advisory lock a rebuild holds: one rebuild at a time
REMOVAL_LOCK = 0x5EA4C5  # removals hold it shared, a rebuild exclusively (see ``rebuild``)
COLUMNS = (
    "d.id, d.doc_id, d.kind, d.space_id, d.visibility, d.status, d.author_id, d.author_name, "
    "d.space_name, d.title, d.body, d.tags, d.url, d.created, d.updated"
)
NEWEST = "ORDER BY d.newest DESC, d.id DESC"  # a walk back through search_documents_newest
EXACT_COUNT = 10_000  # a broad search's total above this many is the planner's estimate
SAMPLED = "d.id, d.kind, d.space_id, d.status, d.tags, d.updated, d.title_terms"  # Sampled


def tsvector(fields: Iterable[tuple[list[str], str]]) -> str:
    """The text of a ``tsvector`` of ``fields`` (terms, weight letter): each term a quoted
    lexeme with its positions, the fields one position apart so a phrase never spans two."""
    positions: dict[str, list[str]] = {}
    position = 1
    for field_terms, weight in fields:
        for term in field_terms:
            seen = positions.setdefault(term, [])
            if len(seen) < MAX_POSITIONS:
                seen.append(f"{min(position, MAX_POSITION)}{weight}")
            position += 1
        position += 1
    return " ".join(f"{lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def _rules(query: SearchQuery) -> tuple[str, dict]:
    """``query``'s access rules and facet filters as a SQL condition on ``d`` (its text plays
    no part), the same rules as ``filters.filter_for``."""
    access = query.access
    clauses: list[str] = []
    params: dict = {}
    if not access.everything:
        params["open"] = list(access.open_visibilities)
        params["readable"] = sorted(access.space_ids | {SITE_WIDE})
        clauses.append("(d.visibility = ANY(:open) OR d.space_id = ANY(:readable))")
        if access.masked_space_ids:
            params["masked"] = sorted(access.masked_space_ids)
            clauses.append("NOT (d.space_id = ANY(:masked))")
    if query.kinds:
        params["kinds"] = list(query.kinds)
        clauses.append("d.kind = ANY(:kinds)")
    if query.space_id:
        params["space"] = query.space_id
        clauses.append("d.space_id = :space")
    if query.status:
        params["status"] = query.status
        clauses.append("d.status = :status")
    if query.tag:
        params["tag"] = [query.tag.strip().lower()]
        clauses.append("d.tag_list @> CAST(:tag AS text[])")
    return " AND ".join(clauses) or "TRUE", params


def _custom_plans() -> None:
    """Plan this transaction's statements for their values: a generic plan (which the driver's
    prepared statements get after a few runs) cannot tell a word in most documents, best found
    by walking the newest ones, from a rare one, best found through the GIN index."""
    db.session.execute(sql("SET LOCAL plan_cache_mode = force_custom_plan"))


class PostgresBackend(SearchBackend):
    """Search in the application's PostgreSQL database, through ``db.session``."""

    transactional = True

    # Writing

    def apply(self, upserts: Iterable[SearchDocument], removals: Iterable[str]) -> None:
        """Write in the session's transaction: committed (or rolled back) with the content."""
        upserts, removals = list(upserts), list(removals)
        if removals:  # waits for a running rebuild, which may be writing these documents
            db.session.execute(
                sql("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": REMOVAL_LOCK}
            )
        gone = list(dict.fromkeys([*removals, *(doc.id for doc in upserts)]))
        if gone:
            db.session.execute(
                sql("DELETE FROM search_documents WHERE doc_id = ANY(:ids)"), {"ids": gone}
            )
        self._insert(upserts)

    def _insert(self, docs: list[SearchDocument]) -> None:
        if not docs:
            return
        rows, words = [], {}
        for doc in docs:
            row, pairs = _row(doc)
            rows.append(row)
            words.update(pairs)
        db.session.execute(
            sql(
                "INSERT INTO search_documents (doc_id, kind, space_id, visibility, status, "
                "author_id, author_name, space_name, title, body, tags, tag_list, url, created, "
                "updated, newest, title_terms, terms, title_words) VALUES (:doc_id, :kind, "
                ":space_id, :visibility, :status, :author_id, :author_name, :space_name, :title, "
                ":body, :tags, :tag_list, :url, :created, :updated, :newest, :title_terms, "
                "CAST(:terms AS tsvector), CAST(:title_words AS tsvector)) "
                "ON CONFLICT (doc_id) DO UPDATE SET kind = excluded.kind, "
                "space_id = excluded.space_id, visibility = excluded.visibility, "
                "status = excluded.status, author_id = excluded.author_id, "
                "author_name = excluded.author_name, space_name = excluded.space_name, "
                "title = excluded.title, body = excluded.body, tags = excluded.tags, "
                "tag_list = excluded.tag_list, url = excluded.url, created = excluded.created, "
                "updated = excluded.updated, newest = excluded.newest, "
                "title_terms = excluded.title_terms, "
                "terms = excluded.terms, title_words = excluded.title_words"
            ),
            rows,
        )
        if words:
            db.session.execute(
                sql(
                    "INSERT INTO search_spelling (word, term) VALUES (:word, :term) "
                    "ON CONFLICT (word) DO NOTHING"
                ),
                [{"word": w, "term": t} for w, t in sorted(words.items())],
            )

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Replace every document in one transaction: searches read the old ones until it
        commits (MVCC). Changes committed meanwhile by others are kept: a document written
        after the rebuild started is not among the rows it deletes, and one the rebuild writes
        too is replaced by the other write once the rebuild commits (its INSERT waits for
        ours). A removal would be lost (the row it deletes is one the rebuild already deleted,
        and the one the rebuild writes is new to it), so removals wait for a running rebuild
        (``REMOVAL_LOCK``) and the rebuild for removals in progress. One rebuild at a time
        (:class:`IndexBusy` if another is running)."""
        session = db.session
        session.commit()  # start a transaction of its own
        locked = session.execute(
            sql("SELECT pg_try_advisory_xact_lock(:key)"), {"key": REBUILD_LOCK}
        ).scalar()
        if not locked:
            session.rollback()
            raise IndexBusy("the search index is being rebuilt")
        try:
            session.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": REMOVAL_LOCK})
            session.execute(sql("DELETE FROM search_documents"))
            session.execute(sql("DELETE FROM search_spelling"))
            count, batch = 0, []
            for doc in documents:
                batch.append(doc)
                if len(batch) >= 500:
                    self._insert(_latest(batch))
                    count += len(batch)
                    batch = []
            self._insert(_latest(batch))
            count += len(batch)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        # Fresh statistics, so the planner knows which words are common (ts_typanalyze).
        session.execute(sql("ANALYZE search_documents"))
        session.execute(sql("ANALYZE search_spelling"))
        session.commit()
        return count

    # Reading

    def search(self, query: SearchQuery) -> SearchResults:
        """Results for ``query``, sampled as ``SqliteBackend.search`` does: the newest
        ``SAMPLE`` matches are ranked (``ts_rank`` when they are all of them) and faceted;
        the total is exact up to ``EXACT_COUNT`` matches, the planner's estimate above."""
        parsed = parse_query(query.text)
        ts = tsquery(parsed)
        if ts is None:
            return SearchResults(hits=[], total=0, page=1, pages=0)
        where, params = _rules(query)
        params = {**params, "q": ts}
        _custom_plans()
        matching = f"FROM search_documents d WHERE d.terms @@ CAST(:q AS tsquery) AND {where}"
        estimate = _estimate(matching, params)
        if estimate <= EXACT_COUNT:
            rows, total = _counted_sample(matching, params)
            estimated = False
        else:
            rows = _newest(matching, params)
            total, estimated = max(estimate, SAMPLE + 1), True
            if len(rows) <= SAMPLE:  # the estimate was far off: these are all of them
                total, estimated = len(rows), False
        if not rows:
            suggestion = self._did_you_mean(parsed, query)
            return SearchResults(hits=[], total=0, page=1, pages=0, suggestion=suggestion)
        broad = len(rows) > SAMPLE
        sample = [Sampled(*row[:7]) for row in rows[:SAMPLE]]
        if query.sort == "date":
            ranked = by_date(sample)
        elif broad:
            ranked = ranked_broad(sample, parsed.terms)
        else:
            # Each statement reads its own snapshot (READ COMMITTED): a document removed or
            # re-indexed since the sample has no score and, below, no row; it is left out.
            scores = self._scores([row.rowid for row in sample], ts)
            ranked = sorted(sample, key=lambda row: -scores.get(row.rowid, 0.0))  # ties: newest
        page = max(query.page, 1)
        start = (page - 1) * query.per_page
        chosen = [row.rowid for row in ranked[start : start + query.per_page]]
        found = self._documents(chosen)
        highlighter = Highlighter(parsed)
        return SearchResults(
            hits=[hit(found[r], highlighter) for r in chosen if r in found],
            total=total,
            page=page,
            pages=math.ceil(len(sample) / query.per_page),
            facets=estimated_facets(sample, total),
            sampled=len(sample) if broad else 0,
            estimated_total=estimated,
        )

    @staticmethod
    def _scores(ids: list[int], ts: str) -> dict[int, float]:
        """``ts_rank`` of the documents ``ids`` for ``ts`` (read for a sample only: ranking
        reads each document's whole ``tsvector``)."""
        rows = db.session.execute(
            sql(
                f"SELECT d.id, ts_rank('{RANK_WEIGHTS}', d.terms, CAST(:q AS tsquery)) "  # noqa: S608
                "FROM search_documents d WHERE d.id = ANY(:ids)"
            ),
            {"ids": ids, "q": ts},
        )
        return {key: value for key, value in rows}  # noqa: C416 - a Result is not a mapping

    @staticmethod
    def _documents(ids: list[int]) -> dict[int, tuple]:
        if not ids:
            return {}
        rows = db.session.execute(
            sql(f"SELECT {COLUMNS} FROM search_documents d WHERE d.id = ANY(:ids)"),  # noqa: S608
            {"ids": ids},
        )
        return {row[0]: tuple(row) for row in rows}

    def _did_you_mean(self, parsed: ParsedQuery, query: SearchQuery) -> str | None:
        """A corrected query, offered only if it finds something this user may see (the
        spelling table holds the words of every document, private ones included)."""
        words = parsed.words
        if not words or len(words) > MAX_CORRECTED_WORDS:
            return None
        result, changed = [], False
        for word in words:
            best = None
            if word.isascii() and word.isalpha() and len(word) >= 4 and not _known(word):
                best = _closest(word)
            result.append(best or word)
            changed = changed or best is not None
        if not changed:
            return None
        corrected = " ".join(result)
        ts = tsquery(parse_query(corrected))
        if ts is None:
            return None
        where, params = _rules(SearchQuery(text="", access=query.access))
        visible = db.session.execute(
            sql(
                "SELECT 1 FROM search_documents d "  # noqa: S608
                f"WHERE d.terms @@ CAST(:q AS tsquery) AND {where} LIMIT 1"
            ),
            {**params, "q": ts},
        ).first()
        return corrected if visible else None

    def suggest(
        self,
        text: str,
        access: Access,
        kinds: tuple[str, ...] = (),
        limit: int = 8,
        space_id: str = "",
    ) -> list[SearchHit]:
        items = suggest_terms(text, lexeme, lambda term: lexeme(term) + ":*")
        if not items:
            return []
        where, params = _rules(SearchQuery(text="", access=access, kinds=kinds, space_id=space_id))
        statement = sql(
            f"SELECT {COLUMNS} FROM (SELECT * FROM search_documents d "  # noqa: S608
            f"WHERE d.title_words @@ CAST(:q AS tsquery) AND {where} {NEWEST} LIMIT :sample) d "
            "ORDER BY similarity(d.title, :typed) DESC, d.id DESC LIMIT :limit"
        )
        params = {**params, "typed": clean_query_text(text), "sample": SUGGEST_SAMPLE}
        _custom_plans()
        rows = db.session.execute(
            statement, {**params, "q": " & ".join(items), "limit": limit}
        ).all()
        if len(rows) < limit and len(items) > 1:  # then the titles with most of the words
            seen = {row[0] for row in rows}
            more = db.session.execute(
                statement, {**params, "q": " | ".join(items), "limit": limit * 2}
            )
            rows += [row for row in more if row[0] not in seen][: limit - len(rows)]
        return [hit(tuple(row)) for row in rows]

    def matching_ids(self, text: str, access: Access, kind: str, limit: int) -> list[str]:
        ts = tsquery(parse_query(text))
        if ts is None:
            return []
        where, params = _rules(SearchQuery(text=text, access=access, kinds=(kind,)))
        _custom_plans()
        rows = db.session.execute(
            sql(
                "SELECT d.doc_id FROM search_documents d "  # noqa: S608
                f"WHERE d.terms @@ CAST(:q AS tsquery) AND {where} {NEWEST} LIMIT :limit"
            ),
            {**params, "q": ts, "limit": limit},
        )
        return [doc_id for (doc_id,) in rows]

    def counts(self) -> dict[str, int]:
        rows = db.session.execute(sql("SELECT kind, count(*) FROM search_documents GROUP BY kind"))
        return {key: value for key, value in rows}  # noqa: C416 - a Result is not a mapping

    def document_ids(self, kind: str) -> set[str]:
        rows = db.session.execute(
            sql("SELECT doc_id FROM search_documents WHERE kind = :kind"), {"kind": kind}
        )
        return {doc_id for (doc_id,) in rows}


def _latest(docs: list[SearchDocument]) -> list[SearchDocument]:
    """``docs`` with one version of each id (the last), as one INSERT may hold it once."""
    return list({doc.id: doc for doc in docs}.values())


def _row(doc: SearchDocument) -> tuple[dict, dict[str, str]]:
    """The ``search_documents`` row of ``doc``, and its words for the spelling table."""
    tags = sorted({t.strip().lower() for t in doc.tags if t.strip()})
    title_pairs = surface_words(doc.title)
    title_terms = [term for term, _ in title_pairs]
    row = {
        "doc_id": doc.id,
        "kind": doc.kind,
        "space_id": doc.space_id or SITE_WIDE,
        "visibility": doc.visibility or "public",
        "status": doc.status or "",
        "author_id": doc.author_id or "",
        "author_name": doc.author_name,
        "space_name": doc.space_name,
        "title": doc.display_title or doc.title,
        "body": doc.body[:STORED_BODY_CHARS],
        "tags": ",".join(tags),
        "tag_list": tags,
        "url": doc.url,
        "created": timestamp(doc.created),
        "updated": timestamp(doc.updated),
        "newest": timestamp(doc.updated or doc.created) or 0.0,
        "title_terms": " ".join(title_terms),
        "terms": tsvector(
            [(title_terms, "A"), (terms(" ".join(tags)), "B"), (terms(doc.body), "D")]
        ),
        # Suggestions match what is typed: the words as written and their stems.
        "title_words": " ".join(
            lexeme(w) for w in sorted({w for pair in title_pairs for w in pair})
        ),
    }
    return row, spelling_pairs(f"{doc.title} {doc.body}")


def _estimate(matching: str, params: dict) -> int:
    """The planner's estimate of how many rows ``matching`` (a ``FROM ... WHERE`` of ``d``)
    finds, from the word statistics ``ANALYZE`` keeps: planning only, nothing is read."""
    plan = db.session.execute(sql(f"EXPLAIN (FORMAT JSON) SELECT 1 {matching}"), params).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])


def _counted_sample(matching: str, params: dict) -> tuple[list, int]:
    """The newest ``SAMPLE + 1`` matches and the exact number of them all, in one pass over
    the matches: the GIN index finds them and each is read once, for both (MATERIALIZED, so
    that the planner cannot walk the whole table newest first instead, to skip a sort)."""
    rows = db.session.execute(
        sql(
            f"WITH d AS MATERIALIZED (SELECT {SAMPLED}, d.newest {matching}) "  # noqa: S608
            f"SELECT {SAMPLED}, count(*) OVER () FROM d {NEWEST} LIMIT :limit"
        ),
        {**params, "limit": SAMPLE + 1},
    ).all()
    return [row[:-1] for row in rows], (rows[0][-1] if rows else 0)


def _newest(matching: str, params: dict) -> list:
    """The newest ``SAMPLE + 1`` matches, for a search with too many to count: walking the
    newest documents back and checking each (a BitmapAnd of the GIN index and a window of
    the newest documents was measured slower: decoding a common word's postings costs more
    than checking the few thousand rows the walk reads)."""
    return db.session.execute(
        sql(f"SELECT {SAMPLED} {matching} {NEWEST} LIMIT :limit"),  # noqa: S608
        {**params, "limit": SAMPLE + 1},
    ).all()


def _known(word: str) -> bool:
    """Whether ``word`` was seen in a document (the spelling table is keyed by it; asking the
    documents instead makes the planner scan them all for a word that is nowhere)."""
    found = db.session.execute(
        sql("SELECT 1 FROM search_spelling WHERE word = :word"), {"word": word}
    ).first()
    return found is not None


def _matches(ts: str, limit: int) -> int:
    """How many documents (at most ``limit``) match the ``tsquery`` text ``ts``."""
    return db.session.execute(
        sql(
            "SELECT count(*) FROM (SELECT 1 FROM search_documents "
            "WHERE terms @@ CAST(:q AS tsquery) LIMIT :limit) m"
        ),
        {"q": ts, "limit": limit},
    ).scalar()


def _closest(word: str) -> str | None:
    """The most common known word within one or two edits of ``word`` sharing its first two
    letters, found through the trigram index of the spelling table (the rule of
    ``spelling.closest``)."""
    limit = 1 if len(word) < 6 else 2
    candidates = db.session.execute(
        sql(
            "SELECT word, term FROM search_spelling WHERE word % :word AND left(word, 2) = :prefix "
            "AND length(word) BETWEEN :shortest AND :longest "
            "ORDER BY similarity(word, :word) DESC, word LIMIT 20"
        ),
        {
            "word": word,
            "prefix": word[:2],
            "shortest": len(word) - limit,
            "longest": len(word) + limit,
        },
    ).all()
    best: tuple[int, int, str] | None = None
    for candidate, term in candidates:
        distance = edit_distance(word, candidate, limit)
        if distance > limit:
            continue
        docs = _matches(lexeme(term), 100)
        if docs:
            key = (distance, -docs, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None
