"""Text analysis for search, one pipeline for English and Chinese in the same text.

Runs of Chinese characters are segmented by jieba in search mode (so a document holding
"显卡驱动" is found by "显卡", "驱动" and "显卡驱动"); everything else is split into words,
NFKC-normalised, case-folded and stemmed with the Snowball English stemmer (PyStemmer), so
"calibrating" finds "calibrate". Stop words are dropped. Index and queries use the same
functions, so what is indexed is what a query looks for.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # jieba's invalid escape sequences, if compiled here
    import jieba

jieba.setLogLevel(logging.WARNING)

_STOP_TEXT = """a an and are as at be by can for from have if in is it may not of on or that
the this to us we when will with yet you your 的 了 和"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
MAX_WORD_CHARS = 60  # longer "words" (hashes, base64) are not worth indexing

_stemmers = threading.local()
_jieba_lock = threading.Lock()
_jieba_ready = False


def _stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:  # a PyStemmer object is not thread-safe: one per thread
        stemmer = _stemmers.english = Stemmer.Stemmer("english", 20000)
    return stemmer.stemWord(word)


def _ensure_jieba() -> None:
    """Load jieba's dictionary once per process (about a second), not on the first query."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba's own ResourceWarning on its cache
                jieba.initialize()
            _jieba_ready = True


@dataclass(frozen=True, slots=True)
class Token:
    term: str  # the index term (stemmed, folded)
    start: int  # character offsets in the analysed text
    end: int
    word: str  # the folded surface word, before stemming


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def tokens(text: str) -> Iterator[Token]:
    """The index terms of ``text`` (already NFKC-normalised) with their offsets."""
    for match in _TOKEN.finditer(text):
        if match.group("cjk"):
            _ensure_jieba()
            run, offset = match.group("cjk"), match.start()
            for word, start, end in jieba.tokenize(run, mode="search"):
                if word not in STOP_WORDS:
                    yield Token(word, offset + start, offset + end, word)
        else:
            word = match.group("word").casefold()
            if word in STOP_WORDS or len(word) > MAX_WORD_CHARS:
                continue
            yield Token(_stem(word), match.start(), match.end(), word)


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order (with repeats)."""
    normalised = normalise(text)
    if not normalised:
        return []
    if not any(ch >= "\u3400" for ch in normalised):  # no CJK: skip jieba entirely
        out = []
        for match in _TOKEN.finditer(normalised):
            word = match.group("word").casefold()
            if word not in STOP_WORDS and len(word) <= MAX_WORD_CHARS:
                out.append(_stem(word))
        return out
    return [token.term for token in tokens(normalised)]


def surface_words(text: str) -> list[tuple[str, str]]:
    """(term, folded word) pairs of ``text``, for the spelling dictionary."""
    return [(token.term, token.word) for token in tokens(normalise(text))]


_LATIN_WORD = re.compile(r"\b[a-zA-Z]{4,30}\b")


def spelling_pairs(text: str) -> dict[str, str]:
    """{word: term} for the English words of ``text``: the dictionary of "did you mean"."""
    pairs: dict[str, str] = {}
    for word in set(_LATIN_WORD.findall(text)):
        word = word.casefold()
        if word not in STOP_WORDS:
            pairs[word] = _stem(word)
    return pairs
