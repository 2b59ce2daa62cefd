"""A user's search text as an FTS5 expression made only of quoted terms and operators.

:func:`parse_query` reads the little syntax people type — words are ANDed, ``OR`` separates
alternatives, ``"a b"`` is a phrase, ``-word`` excludes — and analyses each word into terms
(``analysis.py``); everything else (field syntax, wildcards, brackets) is just text. Every
term reaches FTS5 through :func:`quote`, so nothing typed can become FTS5's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from community.search.analysis import normalise, terms
from community.search.backend import clean_query_text

MAX_QUERY_TERMS = 24


def quote(term: str) -> str:
    """``term`` as an FTS5 string: one term, whatever characters it holds."""
    return '"' + term.replace('"', '""') + '"'


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
            item = quote(" ".join(found))
        else:
            item = " AND ".join(quote(t) for t in found)
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
