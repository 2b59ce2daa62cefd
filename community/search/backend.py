"""The search interface: what any search backend offers, and the values that cross it.

The SQLite FTS5 backend (``sqlite_backend.py``) is the embedded default; the PostgreSQL one
(``pg_backend.py``) is used when the application's database is PostgreSQL. Access control is
part of every query: the caller passes an :class:`Access` built from the database, and the
backend applies it as a filter that the user's query text cannot widen.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

SITE_WIDE = "0"  # the space id of documents that belong to no space (people, site articles)
MAX_QUERY_CHARS = 200
OPEN_VISIBILITIES = ("public", "restricted")  # readable by anyone who may read the site


def clean_query_text(text: str) -> str:
    """Drop control characters and unpaired surrogates (which no database driver can send)
    and cut overlong input, so any text gives a quick answer."""
    text = re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]+", " ", text or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing. ``id`` is ``"<kind>:<row id>"``; ``body`` is plain text."""

    id: str
    kind: str
    title: str
    body: str
    url: str
    space_id: str = SITE_WIDE
    space_name: str = ""
    visibility: str = "public"
    status: str = ""
    tags: tuple[str, ...] = ()
    author_id: str = ""
    author_name: str = ""
    created: datetime | None = None
    updated: datetime | None = None
    display_title: str = ""  # shown instead of ``title`` (e.g. a reply shows its thread's title)


@dataclass(frozen=True)
class Access:
    """Which documents a user may see: everything, or open spaces plus ``space_ids``, never
    ``masked_space_ids`` (private spaces the user may not read, masked even if the index is
    behind the database)."""

    everything: bool = False
    open_visibilities: tuple[str, ...] = OPEN_VISIBILITIES
    space_ids: frozenset[str] = frozenset()
    masked_space_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SearchQuery:
    """A user's search: free text, facet filters (which only narrow), sort and page."""

    text: str
    access: Access
    kinds: tuple[str, ...] = ()
    space_id: str = ""
    status: str = ""
    tag: str = ""
    sort: str = "relevance"  # or "date"
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: str
    title: str
    url: str
    snippet_html: str  # escaped text with <mark> around matches
    space_id: str
    space_name: str
    status: str
    tags: tuple[str, ...]
    author_name: str
    updated: datetime | None


@dataclass
class SearchResults:
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None  # "did you mean", only if it finds something visible
    sampled: int = 0  # when > 0: hits and facet counts come from this many newest matches
    estimated_total: bool = False  # ``total`` is an estimate (a broad search on PostgreSQL)
    incomplete: bool = False  # the index is missing, or restarted empty: being rebuilt


class SearchBackend(abc.ABC):
    """What the application needs from a search engine."""

    #: Whether :meth:`apply` writes in the application's database transaction (so changes
    #: are applied before the content's commit, and commit or roll back with it), rather
    #: than to a store of its own after the commit.
    transactional = False

    @abc.abstractmethod
    def apply(self, upserts: Iterable[SearchDocument], removals: Iterable[str]) -> None:
        """Add or replace ``upserts`` and remove the documents with ids in ``removals``, as one
        write. Raises on failure (the caller retries)."""

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the whole index with ``documents`` at once; returns how many. Searches
        answer from the old index meanwhile, and changes applied meanwhile are not lost."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked, filtered, faceted results for ``query``."""

    @abc.abstractmethod
    def suggest(
        self,
        text: str,
        access: Access,
        kinds: tuple[str, ...] = (),
        limit: int = 8,
        space_id: str = "",
    ) -> list[SearchHit]:
        """Quick title matches for as-you-type use (the last word may be a prefix), only in
        the space ``space_id`` when given (which narrows ``access``, never widens it)."""

    @abc.abstractmethod
    def matching_ids(self, text: str, access: Access, kind: str, limit: int) -> list[str]:
        """The ids of the newest documents of ``kind`` matching ``text`` that ``access`` may
        read, at most ``limit`` of them (for narrowing a database query by full text)."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """Number of documents per kind."""

    @abc.abstractmethod
    def document_ids(self, kind: str) -> set[str]:
        """The ids of all documents of ``kind`` (for consistency checks)."""
