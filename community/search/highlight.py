"""Snippets: the passage of a stored text that best shows a query's words, escaped, with
``<mark>`` around each of them.

:class:`Highlighter` works on the original text, not the analysed terms, so what is marked
is what people wrote: English words are found by the start of their stem (so "calibrating"
marks "calibration"), Chinese words as written.
"""

from __future__ import annotations

import html
import re

from community.search.parsing import ParsedQuery

SNIPPET_CHARS = 240


class Highlighter:
    """Marks the query's words in a stored text and cuts the best passage around them."""

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
