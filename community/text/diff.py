"""A readable diff between two versions of a text (knowledge base revisions; a moderation
case's words then and now): lines compared first, then the words of changed lines, rendered
as escaped HTML with ``<ins>`` and ``<del>``."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _words(old: str, new: str) -> list[str]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return out


def diff_html(old: str, new: str) -> Markup:
    """``old`` → ``new`` as HTML (for a ``<pre>``-like block with wrapped lines)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
        elif op == "replace":
            out += _words("".join(a[i1:i2]), "".join(b[j1:j2]))
        elif op == "delete":
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        else:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))  # noqa: S704 (every piece of text was escaped above)
