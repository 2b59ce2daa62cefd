"""Downloads: the one CSV writer every export uses (spreadsheets open its cells as data, never
as formulas), Markdown text that stays text, and the attachment response.

CSV follows OWASP's advice on CSV injection: a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return, a line feed or a NUL, also after leading spaces, gets a
leading ``'`` (spreadsheets then show it as text), and every text cell is quoted, so a ``;``
or ``,`` inside it cannot start a new cell in a spreadsheet that splits on it. Numbers (an
``int``, ``float`` or ``Decimal``, never a ``bool``) are written bare and stay numbers, a
negative one included: only text can carry a formula. JSON exports keep their text exactly:
they are read by programs, which do not run formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")

# Markdown that could link, load an image, embed HTML or break the export's own emphasis.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]<|])")


def safe_cell(value) -> str | int | float | Decimal:
    """A CSV cell: numbers as they are, anything else as text that cannot start a formula."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence]) -> str:
    """``rows`` (the header first) as CSV text, UTF-8 with a byte-order mark so spreadsheets
    read Chinese; every cell through :func:`safe_cell`, text quoted, numbers bare."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def markdown_text(text: str) -> str:
    """User text for one line of a Markdown export: on one line, with the characters that
    would make links, images, HTML or emphasis escaped, so it reads exactly as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def attachment(body: str, mimetype: str, filename: str) -> Response:
    """``body`` as a download named ``filename`` (which the caller builds from safe parts)."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
