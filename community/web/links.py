"""Links that differ only by ids, built once per request.

A page of posts links each post's own actions (its address, history, edit, delete, flag…):
``url_for`` for each of them runs the URL map's builder again for every post. :func:`id_url`
builds each address once per request with marker ids in place of the integer values, and fills
in each call's ids: the same address ``url_for`` gives, for the cost of a string join.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_request_context, url_for

#: Marker ids: long enough that no other part of an address can contain them.
_MARK = 918_273_645_501_928_374
_MARKS = re.compile(r"9182736455019283(7[4-9]|8\d)")


def id_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)``, kept per request as a pattern in which each integer
    value (an id) is filled in: a template global for links drawn once per row. Values other
    than non-negative integers (text, ``_anchor``) are part of the kept pattern."""
    ids = [k for k, v in values.items() if type(v) is int and v >= 0]
    if not ids or len(ids) > 16 or not has_request_context():
        return url_for(endpoint, **values)
    fixed = tuple((k, v) for k, v in values.items() if k not in ids)
    key = (endpoint, tuple(ids), fixed)
    patterns = g.get("_id_urls")
    if patterns is None:
        patterns = g._id_urls = {}
    pattern = patterns.get(key)
    if pattern is None:
        marked = {**values, **{k: _MARK + n for n, k in enumerate(ids)}}
        url = url_for(endpoint, **marked)
        parts = _MARKS.split(url)
        # re.split keeps the group: [text, mark tail, text, mark tail, …, text].
        pattern = patterns[key] = (
            parts[::2],
            [ids[int(tail) - 74] for tail in parts[1::2]],
        )
    texts, names = pattern
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        out.append(str(values[name]))
        out.append(text)
    return "".join(out)
