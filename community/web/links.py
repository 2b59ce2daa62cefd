"""Links that a list page repeats for each row, built once per page (#22).

``url_for`` matches the endpoint's rule, runs the URL defaults and encodes its arguments on
every call: a list of 20 rows with a link, tags and a form each called it some 90 times per
page. :func:`link_pattern` calls it once, with a marker where the value goes, and each row's
link is the text around the marker with the row's value in its place, encoded as ``url_for``
encodes it (a path segment of an ``int`` rule, or a query argument).
"""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import url_for

#: Stands for a row's value while the pattern is built: a number no row has (should the rest of
#: the link hold it too, every link is built by ``url_for``).
MARK = 9_007_199_254_740_993

#: What ``url_for`` leaves unencoded in a query argument (werkzeug's ``_urlencode``).
QUERY_SAFE = "!$'()*,/:;?@"


class LinkPattern:
    """The links to ``endpoint`` that differ only in ``key`` (an id in the path, or any value
    in the query): ``LinkPattern(endpoint, key, **values)(value)`` is
    ``url_for(endpoint, **values, key=value)``. Templates call it ``link_pattern``."""

    __slots__ = ("endpoint", "key", "values", "prefix", "suffix", "in_query")

    def __init__(self, endpoint: str, key: str, **values) -> None:
        self.endpoint, self.key, self.values = endpoint, key, values
        url = url_for(endpoint, **values, **{key: MARK})
        self.prefix, _, self.suffix = url.partition(str(MARK))
        self.in_query = "?" in self.prefix and self.prefix.endswith(f"{key}=")
        if url.count(str(MARK)) != 1:
            self.prefix = None

    def __call__(self, value) -> str:
        if self.prefix is None:
            return url_for(self.endpoint, **self.values, **{self.key: value})
        if self.in_query:
            return f"{self.prefix}{quote_plus(str(value), safe=QUERY_SAFE)}{self.suffix}"
        if not isinstance(value, int):  # a path segment: only ids, which need no encoding
            raise TypeError(f"a path link takes an id, not {value!r}")
        return f"{self.prefix}{value}{self.suffix}"
