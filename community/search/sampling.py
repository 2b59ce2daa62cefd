"""What both backends do with a search's sample, its newest matches: rank a broad search's
sample and estimate its facet counts (see ``SqliteBackend.search``)."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

TAG_FACET_SIZE = 30


class Sampled(NamedTuple):
    """One of a search's newest matches: what ranking and facets need of it."""

    rowid: int
    kind: str
    space_id: str
    status: str
    tags: str
    updated: float | None
    title_terms: str


def ranked_broad(sample: list[Sampled], terms: list[str]) -> list[Sampled]:
    """A broad search's ``sample`` (newest first) in the order shown: by how many of the
    query's ``terms`` the title holds, then newest first."""
    wanted = set(terms)
    return sorted(sample, key=lambda row: -len(wanted.intersection(row.title_terms.split())))


def by_date(sample: list[Sampled]) -> list[Sampled]:
    return sorted(sample, key=lambda row: (row.updated or 0, row.rowid), reverse=True)


def estimated_facets(sample: list[Sampled], total: int) -> dict[str, dict[str, int]]:
    """Facet counts of the ``total`` matches, from ``sample`` (exact when it is all of them,
    scaled up when it is the newest of more)."""
    scale = total / len(sample)
    tags = Counter(tag for row in sample if row.tags for tag in row.tags.split(","))
    facets = {
        "kind": Counter(row.kind for row in sample),
        "space_id": Counter(row.space_id for row in sample),
        "status": Counter(row.status for row in sample if row.status),
        "tags": dict(tags.most_common(TAG_FACET_SIZE)),
    }
    return {
        name: {value: round(count * scale) for value, count in counter.items()}
        for name, counter in facets.items()
    }
