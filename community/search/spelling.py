"""Spelling corrections ("did you mean"): unknown words replaced by the closest known ones.

The index keeps a ``spelling`` table of every word seen, written as typed, with the term it
analyses to; FTS5's ``vocabulary`` says in how many documents each term is. A word that is
no known term is replaced by the most common known word within one or two edits (counting a
transposition as one) that shares its first two letters. The backend offers the corrected
text only if it finds something the user may see (the table holds the words of every
document, private ones included).
"""

from __future__ import annotations

import sqlite3

from community.search.analysis import terms

MAX_CORRECTED_WORDS = 6  # a longer query is not corrected word by word


def edit_distance(a: str, b: str, limit: int) -> int:
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


def closest(con: sqlite3.Connection, word: str) -> str | None:
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
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            key = (distance, -docs, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def corrected(con: sqlite3.Connection, words: list[str]) -> str | None:
    """``words`` (as typed, folded) with each unknown one corrected, as text; None when
    there is nothing to correct. Known terms, short words and words that are not plain
    Latin letters are kept as they are."""
    if not words or len(words) > MAX_CORRECTED_WORDS:
        return None
    result, changed = [], False
    for word in words:
        term = terms(word)
        known = (
            term and con.execute("SELECT 1 FROM vocabulary WHERE term = ?", (term[0],)).fetchone()
        )
        if known or not word.isascii() or not word.isalpha() or len(word) < 4:
            result.append(word)
            continue
        best = closest(con, word)
        if best is None:
            result.append(word)
            continue
        result.append(best)
        changed = True
    return " ".join(result) if changed else None
