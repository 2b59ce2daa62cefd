"""Access rules and facet filters, applied by FTS5 while it matches and by SQL after.

Each document's kind, space, visibility, status and tags are also written as hashed terms in
the ``meta`` column of the FTS5 tables (:func:`meta_terms`), so a search's rules become FTS5
expressions on that column — what a match must have and what it must not — that the engine
applies while matching, which keeps counts quick. The same rules are also SQL conditions on
the ``documents`` row (``d``) that every row shown or counted in facets passes
(:func:`filter_for`). A user's query text, quoted term by term (``parsing.py``), is combined
with them by :func:`match` and cannot widen them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from community.search.backend import OPEN_VISIBILITIES, SITE_WIDE, SearchDocument, SearchQuery
from community.search.parsing import quote


def meta_token(field_code: str, value: str) -> str:
    """A term for the ``meta`` column: filters and access rules become FTS5 terms, so the
    engine applies them while matching. Values are hashed into one plain token each."""
    return field_code + hashlib.blake2s(value.encode(), digest_size=6).hexdigest()


CLOSED = meta_token("c", "closed")  # on documents not in OPEN_VISIBILITIES


def meta_terms(doc: SearchDocument, tags: list[str]) -> str:
    """The ``meta`` column of ``doc`` (with its normalised ``tags``)."""
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


def _any(field_code: str, values: Iterable[str]) -> str:
    return " OR ".join(quote(meta_token(field_code, v)) for v in sorted(values))


@dataclass(frozen=True)
class Filter:
    """A search's rules twice over: FTS5 expressions on the meta column (``required``: what
    a match must have; ``excluded``: what it must not; either may be empty) and a SQL
    condition on ``d`` (documents) with its parameters."""

    required: str
    excluded: str
    where: str
    params: list

    @property
    def narrows_matches(self) -> bool:
        """Whether FTS5 applies any rule while matching."""
        return bool(self.required or self.excluded)


def filter_for(query: SearchQuery) -> Filter:
    """``query``'s access rules and facet filters (its text plays no part)."""
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
            excluded.append(f"({meta(quote(CLOSED))} NOT {meta(_any('s', spaces))})")
        else:
            required.append(meta(f"{_any('v', access.open_visibilities)} OR {_any('s', spaces)}"))
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
    return Filter(
        " AND ".join(required), " OR ".join(excluded), " AND ".join(clauses) or "1", params
    )


def match(columns: str, expression: str, rules: Filter | None = None) -> str:
    """The FTS5 query for ``expression`` in ``columns``, with the FTS5 side of ``rules``."""
    found = f"({{{columns}}} : ({expression}))"
    if rules is not None and rules.required:
        found = f"{found} AND {rules.required}"
    if rules is not None and rules.excluded:
        found = f"({found}) NOT ({rules.excluded})"
    return found
