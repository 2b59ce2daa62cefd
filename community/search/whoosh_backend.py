"""The embedded search backend: a Whoosh index on disk, analysed for English and Chinese.

One analyzer serves both languages in the same field: jieba segments Chinese (search mode,
so both words and their parts match) and passes Latin words through, which are then
lower-cased, stop-worded and stemmed with Snowball (jieba's bundled Porter stemmer stems
"calibrating" and "calibrate" differently).
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime

import jieba
from whoosh import highlight, index, qparser, sorting, writing
from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.query import NullQuery, Or, Prefix, Query, Term

from community.search.backend import (
    SITE_WIDE,
    Access,
    SearchBackend,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
)

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # jieba's own SyntaxWarnings on import
    from jieba.analyse.analyzer import STOP_WORDS, ChineseTokenizer

SCHEMA_VERSION = "2"
STORED_BODY_CHARS = 4000
MAX_QUERY_CHARS = 200
FACETS = ("kind", "space_id", "status", "tags")
WRITE_TIMEOUT = 10.0


def make_analyzer():
    """jieba tokens, lower-cased, without stop words, stemmed (English) — for both languages."""
    return (
        ChineseTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(lang="en", cachesize=50000)
    )


def make_schema() -> Schema:
    analyzer = make_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0, spelling=True),
        body=TEXT(analyzer=analyzer, stored=True, spelling=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        space_id=ID(stored=True, sortable=True),
        visibility=ID(stored=True),
        status=ID(stored=True, sortable=True),
        author_id=ID(stored=True),
        author_name=STORED,
        space_name=STORED,
        display_title=STORED,
        url=STORED,
        created=DATETIME(stored=True, sortable=True),
        updated=DATETIME(stored=True, sortable=True),
    )


def clean_query_text(text: str) -> str:
    """Drop control characters and cut overlong input, so any text gives a quick answer."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _fields(doc: SearchDocument) -> dict:
    fields = {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "_stored_body": doc.body[:STORED_BODY_CHARS],
        "tags": ",".join(doc.tags),
        "space_id": doc.space_id or SITE_WIDE,
        "visibility": doc.visibility or "public",
        "status": doc.status or "none",
        "author_id": doc.author_id or "-",
        "author_name": doc.author_name,
        "space_name": doc.space_name,
        "display_title": doc.display_title or doc.title,
        "url": doc.url,
    }
    for name in ("created", "updated"):
        value = _naive_utc(getattr(doc, name))
        if value is not None:
            fields[name] = value
    return fields


def access_filters(access: Access) -> tuple[Query | None, Query | None]:
    """The (filter, mask) pair that enforces ``access`` inside the engine."""
    if access.everything:
        return None, None
    allowed: list[Query] = [Term("visibility", v) for v in access.open_visibilities]
    allowed += [Term("space_id", s) for s in sorted(access.space_ids)]
    allowed.append(Term("space_id", SITE_WIDE))
    mask = None
    if access.masked_space_ids:
        mask = Or([Term("space_id", s) for s in sorted(access.masked_space_ids)])
    return Or(allowed), mask


class WhooshBackend(SearchBackend):
    """Search backed by a Whoosh index in ``path``; one searcher per thread, refreshed lazily."""

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(path, exist_ok=True)
        marker = os.path.join(path, "SCHEMA_VERSION")
        current = None
        if os.path.exists(marker):
            with open(marker) as handle:
                current = handle.read().strip()
        if index.exists_in(path) and current == SCHEMA_VERSION:
            self.ix = index.open_dir(path)
        else:
            self.ix = index.create_in(path, make_schema())
            with open(marker, "w") as handle:
                handle.write(SCHEMA_VERSION)
        self._local = threading.local()
        self._search_parser = self._parser(["title", "body", "tags"], qparser.AndGroup)
        self._suggest_parser = self._parser(["title"], qparser.OrGroup)

    def _parser(self, fields: list[str], group) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(
            fields, schema=self.ix.schema, group=group, fieldboosts={"title": 2.0, "tags": 1.5}
        )
        # Field syntax could address the access fields; wildcards and ranges are slow: text only.
        for plugin in (
            qparser.FieldsPlugin,
            qparser.WildcardPlugin,
            qparser.RangePlugin,
            qparser.BoostPlugin,
            qparser.EveryPlugin,
        ):
            parser.remove_plugin_class(plugin)
        return parser

    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and searcher.up_to_date():
            return searcher
        # Not searcher.refresh(): in Whoosh-Reloaded 2.7.5 it reuses segment readers whose
        # deletions have changed since, so replaced documents would show up twice.
        if searcher is not None:
            searcher.close()
        searcher = self._local.searcher = self.ix.searcher()
        return searcher

    def _parse(self, parser: qparser.QueryParser, text: str) -> Query | None:
        text = clean_query_text(text)
        if not text:
            return None
        try:
            query = parser.parse(text)
        except Exception:  # noqa: BLE001 - any odd syntax becomes a plain word search
            log.info("unparseable query %r; searching its words", text)
            query = parser.parse(re.sub(r"[^\w\s]", " ", text))
        return None if query is None or query is NullQuery else query

    # Writing

    def apply(self, upserts: Iterable[SearchDocument], removals: Iterable[str]) -> None:
        writer = self.ix.writer(timeout=WRITE_TIMEOUT, delay=0.05)
        try:
            for doc_id in removals:
                writer.delete_by_term("id", doc_id)
            for doc in upserts:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        writer = self.ix.writer(timeout=WRITE_TIMEOUT, delay=0.05, procs=1, limitmb=256)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        # CLEAR swaps the whole index at commit: searches see the old one until then.
        writer.commit(mergetype=writing.CLEAR)
        return count

    # Reading

    def _hit(self, hit, with_snippet: bool) -> SearchHit:
        snippet = ""
        if with_snippet:
            snippet = hit.highlights("body", top=2) or highlight.htmlescape(
                hit.get("body", "")[:220], quote=False
            )
        tags = tuple(t for t in hit.get("tags", "").split(",") if t)
        updated = hit.get("updated")
        return SearchHit(
            id=hit["id"],
            kind=hit["kind"],
            title=hit.get("display_title") or hit.get("title", ""),
            url=hit["url"],
            snippet_html=snippet,
            space_id=hit.get("space_id", SITE_WIDE),
            space_name=hit.get("space_name", ""),
            status="" if hit.get("status") == "none" else hit.get("status", ""),
            tags=tags,
            author_name=hit.get("author_name", ""),
            updated=updated.replace(tzinfo=UTC) if updated else None,
        )

    def _cached_docs(self, searcher, key, build):
        """Docnum sets of access filters, kept for as long as this searcher is current (they are
        rebuilt for every query otherwise, which dominates common searches on large indexes)."""
        cache = searcher.__dict__.setdefault("_cocreate_sets", {})
        if key not in cache:
            query = build()
            cache[key] = None if query is None else set(searcher.docs_for_query(query))
        return cache[key]

    def _filters(self, searcher, query: SearchQuery) -> tuple[set | None, set | None]:
        """The (filter, mask) docnum sets for ``query``: its access, narrowed by its facets."""
        allowed_query, mask_query = access_filters(query.access)
        access = query.access
        key = (
            access.everything,
            access.open_visibilities,
            access.space_ids,
            access.masked_space_ids,
        )
        allowed = self._cached_docs(searcher, ("allow", key), lambda: allowed_query)
        mask = self._cached_docs(searcher, ("mask", key), lambda: mask_query)
        narrowing: list[tuple[tuple, Query]] = []
        if query.kinds:
            narrowing.append((("kind", query.kinds), Or([Term("kind", k) for k in query.kinds])))
        if query.space_id:
            narrowing.append((("space", query.space_id), Term("space_id", query.space_id)))
        if query.status:
            narrowing.append((("status", query.status), Term("status", query.status)))
        if query.tag:
            narrowing.append((("tag", query.tag.lower()), Term("tags", query.tag.lower())))
        for cache_key, narrow in narrowing:
            docs = self._cached_docs(searcher, cache_key, lambda narrow=narrow: narrow)
            allowed = docs if allowed is None else allowed & docs
        return allowed, mask

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = self._parse(self._search_parser, query.text)
        page = max(query.page, 1)
        if parsed is None:
            return SearchResults(hits=[], total=0, page=1, pages=0)
        searcher = self._searcher()
        flt, mask = self._filters(searcher, query)
        facets = {
            name: sorting.FieldFacet(name, allow_overlap=(name == "tags"), maptype=sorting.Count)
            for name in FACETS
        }
        sortedby = sorting.FieldFacet("updated", reverse=True) if query.sort == "date" else None
        results = searcher.search(
            parsed,
            limit=page * query.per_page,
            filter=flt,
            mask=mask,
            groupedby=facets,
            sortedby=sortedby,
        )
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        total = len(results)
        start = (page - 1) * query.per_page
        hits = [
            self._hit(results[i], True) for i in range(start, min(total, start + query.per_page))
        ]
        found = SearchResults(
            hits=hits,
            total=total,
            page=page,
            pages=math.ceil(total / query.per_page) if total else 0,
            facets={name: dict(results.groups(name)) for name in FACETS},
        )
        if total == 0:
            found.suggestion = self._did_you_mean(searcher, parsed, query, flt, mask)
        return found

    def _did_you_mean(self, searcher, parsed, query: SearchQuery, flt, mask) -> str | None:
        """A corrected query, offered only if it finds something this user may see (the
        spelling dictionary holds every word in the index, private ones included)."""
        try:
            # A shared two-letter prefix keeps the spelling search small on large indexes.
            corrected = searcher.correct_query(parsed, clean_query_text(query.text), prefix=2)
        except (TypeError, ValueError):
            # Whoosh cannot format corrections of some segmented (e.g. Chinese) queries.
            return None
        text = corrected.string.strip()
        if not text or text.casefold() == clean_query_text(query.text).casefold():
            return None
        reparsed = self._parse(self._search_parser, text)  # analysed (stemmed) like the index
        if reparsed is None or searcher.search(reparsed, limit=1, filter=flt, mask=mask).is_empty():
            return None
        return text

    def suggest(
        self, text: str, access: Access, kinds: tuple[str, ...] = (), limit: int = 8
    ) -> list[SearchHit]:
        text = clean_query_text(text)
        parsed = self._parse(self._suggest_parser, text)
        words = re.findall(r"\w+", text)
        if words and not text.endswith(" "):
            prefix = Prefix("title", words[-1].lower())
            parsed = prefix if parsed is None else Or([parsed, prefix])
        if parsed is None:
            return []
        searcher = self._searcher()
        flt, mask = self._filters(searcher, SearchQuery(text="", access=access, kinds=kinds))
        results = searcher.search(parsed, limit=limit, filter=flt, mask=mask)
        return [self._hit(hit, False) for hit in results]

    def counts(self) -> dict[str, int]:
        searcher = self._searcher()
        counts: dict[str, int] = {}
        for kind in searcher.lexicon("kind"):
            name = kind.decode() if isinstance(kind, bytes) else kind
            counts[name] = len(searcher.search(Term("kind", name), limit=None, scored=False))
        return {k: v for k, v in counts.items() if v}

    def document_ids(self, kind: str) -> set[str]:
        # A search, not searcher.documents(): that also yields deleted, unmerged documents.
        results = self._searcher().search(Term("kind", kind), limit=None, scored=False)
        return {hit["id"] for hit in results}
