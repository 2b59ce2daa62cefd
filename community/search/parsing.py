"""A user's search text as an expression made only of quoted terms and operators.

:func:`parse_query` reads the little syntax people type — words are ANDed, ``OR`` separates
alternatives, ``"a b"`` is a phrase, ``-word`` excludes — and analyses each word into terms
(``analysis.py``); everything else (field syntax, wildcards, brackets) is just text. The result
is kept as a structure (:attr:`ParsedQuery.groups`) and written out for each engine: as an
FTS5 expression (``expression``), every term through :func:`quote`, and as a PostgreSQL
``tsquery`` (:func:`tsquery`), every term through :func:`lexeme`, so nothing typed can become
either engine's own syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from community.search.analysis import STOP_WORDS, normalise, terms
from community.search.backend import clean_query_text

MAX_QUERY_TERMS = 24
MIN_PREFIX = 2  # a shorter last word is not expanded as a prefix (it would match everything)


def quote(term: str) -> str:
    """``term`` as an FTS5 string: one term, whatever characters it holds."""
    return '"' + term.replace('"', '""') + '"'


def lexeme(term: str) -> str:
    """``term`` as a quoted ``tsquery``/``tsvector`` lexeme: one term, taken as it is."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class Item:
    """One word or phrase of a query: its terms, which must all match (in this order, next
    to each other, for a phrase)."""

    terms: tuple[str, ...]
    phrase: bool


@dataclass
class ParsedQuery:
    """A user's text as an FTS5 expression made only of quoted terms and operators."""

    expression: str | None
    terms: list[str] = field(default_factory=list)  # the positive terms (for highlighting)
    words: list[str] = field(default_factory=list)  # the positive words as typed (folded)
    # The alternatives (OR) that can match: each its items that must match and those that
    # must not (alternatives of exclusions alone are left out).
    groups: list[tuple[list[Item], list[Item]]] = field(default_factory=list)


_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> ParsedQuery:
    """Words are ANDed; ``OR`` separates alternatives; ``"a b"`` is a phrase; ``-word``
    excludes. Anything else is text: field syntax, wildcards and brackets are just words."""
    groups: list[tuple[list[Item], list[Item]]] = [([], [])]
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
        item = Item(tuple(found), phrase is not None)
        positives, negatives = groups[-1]
        if negated:
            negatives.append(item)
        else:
            positives.append(item)
            positive_terms.extend(found)
            words.extend(w for w in re.findall(r"\w+", normalise(source).casefold()))
        if budget <= 0:
            break
    # A group of exclusions alone would list everything else.
    groups = [(positives, negatives) for positives, negatives in groups if positives]
    return ParsedQuery(_fts5(groups), list(dict.fromkeys(positive_terms)), words, groups)


def _fts5_item(item: Item) -> str:
    if item.phrase:
        return quote(" ".join(item.terms))
    text = " AND ".join(quote(t) for t in item.terms)
    return f"({text})" if len(item.terms) > 1 else text


def _fts5(groups: list[tuple[list[Item], list[Item]]]) -> str | None:
    clauses = []
    for positives, negatives in groups:
        clause = " AND ".join(_fts5_item(i) for i in positives)
        if negatives:
            clause = f"({clause}) NOT ({' OR '.join(_fts5_item(i) for i in negatives)})"
        clauses.append(f"({clause})")
    return " OR ".join(clauses) if clauses else None


def _tsquery_item(item: Item) -> str:
    text = (" <-> " if item.phrase else " & ").join(lexeme(t) for t in item.terms)
    return f"({text})" if len(item.terms) > 1 else text


def tsquery(parsed: ParsedQuery) -> str | None:
    """``parsed`` as the text of a PostgreSQL ``tsquery`` (cast, never parsed by
    ``to_tsquery``): the same alternatives, phrases and exclusions as ``expression``."""
    clauses = []
    for positives, negatives in parsed.groups:
        clause = " & ".join(_tsquery_item(i) for i in positives)
        if negatives:
            clause = f"({clause}) & !({' | '.join(_tsquery_item(i) for i in negatives)})"
        clauses.append(f"({clause})")
    return " | ".join(clauses) if clauses else None


def suggest_terms(
    text: str, exact: Callable[[str], str], prefix: Callable[[str], str]
) -> list[str]:
    """The terms of an as-you-type query, in a backend's spelling (``exact`` for a whole word,
    ``prefix`` for the last word still being typed): every word but the last is complete; the
    last is a prefix unless the text ends with a space, or it is a short word in Latin letters
    (then it is matched whole, alone). At most ``MAX_QUERY_TERMS``; [] when nothing is left."""
    cleaned = clean_query_text(text)
    words = [w.casefold() for w in re.findall(r"\w+", normalise(cleaned)) if "_" not in w]
    if not words:
        return []
    complete, last = words[:-1], words[-1]
    if cleaned.endswith(" "):
        complete, last = words, ""
    items = [exact(t) for w in complete for t in (terms(w) or ()) if t]
    if last and (len(last) >= MIN_PREFIX or not last.isascii()):
        if last.isascii():
            items.append(prefix(last))
        else:
            items += [prefix(t) for t in terms(last)]
    elif last and not items and last not in STOP_WORDS:
        items.append(exact(last))  # a single short word: only an exact word match
    return list(dict.fromkeys(items))[:MAX_QUERY_TERMS]
