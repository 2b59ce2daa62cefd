"""Hostile values for the walks: what an attacker types into forms, query strings, JSON bodies
and socket payloads. Hypothesis strategies, so every walk draws from the same pool."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

#: Text an attacker tries: empty, NUL, numbers past every integer type, impossible dates,
#: words where numbers are expected, very long text, markup, direction overrides, emoji.
HOSTILE_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "1",
    "2",
    "1.5",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-0",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "2024-13-01",
    "now",
    "today",
    "true",
    "null",
    "[]",
    "{}",
    "x" * 5_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "../../etc/passwd",
    "\u202egnp.exe",
    "\ufeff",
    "😀",
    "中文",
)

#: Numbers for ids and counts: zero, negative, past 32 and 64 bits, and the edges between.
HOSTILE_INTS = (0, -1, 1, 2, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**40, -(10**40))


def text_values() -> st.SearchStrategy[str]:
    """A string for a query argument, form field or path segment (no lone surrogates: URLs
    and form bodies are UTF-8, so those only arrive in JSON)."""
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(HOSTILE_INTS).map(str),
        st.text(max_size=12),
        st.dates().map(str),
    )


def _leaves() -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(HOSTILE_INTS),
        st.integers(),
        st.floats(),
        st.sampled_from(HOSTILE_TEXT + ("\ud800", "a\udfffb")),
        st.text(max_size=8),
    )


def json_values() -> st.SearchStrategy:
    """Any JSON value, including lone surrogates, NaN and infinities, big numbers and nesting."""
    return st.recursive(
        _leaves(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=8,
    )


#: Nesting deeper than any parser's recursion limit.
DEEP = 5_000


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def encode_json(value) -> str:
    """``value`` as JSON text; ``ensure_ascii`` keeps lone surrogates as ``\\ud800`` escapes."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


def json_bodies(keys: list[str]) -> st.SearchStrategy[str]:
    """A JSON request body: an object over ``keys`` (and others), a bare value, nesting deeper
    than parsers allow, broken JSON."""
    key = st.sampled_from(keys) if keys else st.text(max_size=6)
    objects = st.dictionaries(key, json_values(), max_size=6).map(encode_json)
    deep_field = key.map(lambda k: "{" + encode_json(k) + ": " + deep_json() + "}")
    return st.one_of(
        objects,
        objects,
        json_values().map(encode_json),
        deep_field,
        st.just(deep_json()),
        st.sampled_from(['{"a": ', "{'a': 1}", '"\\ud800"', '{"\\u0000": 1}', "\xff", "1" * 5000]),
    )


def walk_settings(examples: int) -> settings:
    """Hypothesis settings for a walk: ``examples`` generated cases, the same ones every run
    (derandomised, no example database), no deadline and no shrinking."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
