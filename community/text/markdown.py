"""User Markdown rendered once on save: @mentions linked, HTML sanitised with an allow-list."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MentionResolver = Callable[[list[str]], dict[str, str]]

# Greedy run of name characters; trailing dots are trimmed and the rest validated afterwards,
# so "@alice." mentions alice and an over-long run is no mention at all (not a truncated one).
_MENTION_RUN = re.compile(r"@([\w.-]+)")
_USERNAME = re.compile(r"[^\W_][\w.-]{1,29}")
# A mention must not continue a word, an e-mail address, a path or a domain.
_NOT_BEFORE_MENTION = re.compile(r"[\w@/.]")
_WHITESPACE = re.compile(r"\s+")

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Tags after which snippet text must not run into the next word.
_BLOCK_TAGS = _TAGS - {"strong", "em", "del", "s", "code", "a", "img"}


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML ready for ``|safe``, and the canonical usernames it mentions."""

    html: str
    mentions: tuple[str, ...]


def _find_mentions(text: str, before: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every mention-shaped ``@name`` in ``text``; ``before`` precedes it."""
    found = []
    for match in _MENTION_RUN.finditer(text):
        start = match.start()
        previous = text[start - 1] if start else before
        name = match.group(1).rstrip(".")
        if (previous and _NOT_BEFORE_MENTION.match(previous)) or not _USERNAME.fullmatch(name):
            continue
        found.append((start, start + 1 + len(name), name))
    return found


def _mention_tokens(username: str) -> list[Token]:
    """Real link tokens (never raw HTML) pointing at a member's profile."""
    href = "/u/" + quote(username, safe="")
    return [
        Token("link_open", "a", 1, attrs={"href": href, "class": "mention"}),
        Token("text", "", 0, content="@" + username),
        Token("link_close", "a", -1),
    ]


def _link_mentions(state: StateCore) -> None:
    """Core rule: link every @mention the resolver knows, with one resolver call per render.

    Only plain text children are touched, so code spans, code blocks, link texts and URLs keep
    their ``@`` as written; an escaped ``\\@`` is a separate token here and never matches.
    """
    resolve: MentionResolver | None = state.env.get("resolve")
    if resolve is None:
        return
    hits: dict[int, list[tuple[int, int, str]]] = {}
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        previous, link_depth = "", 0
        for child in block.children:
            if child.type in ("link_open", "link_close"):
                link_depth += child.nesting
            elif child.type == "text" and not link_depth:
                found = _find_mentions(child.content, previous[-1:])
                if found:
                    hits[id(child)] = found
            previous = child.content if child.type in ("text", "text_special") else ""
    candidates = list(dict.fromkeys(name for found in hits.values() for _, _, name in found))
    if not candidates:
        return
    resolved = resolve(candidates)
    mentions: list[str] = state.env["mentions"]
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _splice(block.children, hits, resolved, mentions)


def _splice(
    children: list[Token],
    hits: dict[int, list[tuple[int, int, str]]],
    resolved: dict[str, str],
    mentions: list[str],
) -> list[Token]:
    """``children`` with each resolved mention cut out of its text token and made a link."""
    result: list[Token] = []
    for child in children:
        cursor = 0
        for start, end, name in hits.get(id(child), []):
            username = resolved.get(name)
            if not username:
                continue
            if start > cursor:
                result.append(Token("text", "", 0, content=child.content[cursor:start]))
            result.extend(_mention_tokens(username))
            if username not in mentions:
                mentions.append(username)
            cursor = end
        if not cursor:
            result.append(child)
        elif cursor < len(child.content):
            result.append(Token("text", "", 0, content=child.content[cursor:]))
    return result


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Allow only absolute http(s) image sources: relative ones would load from our own site."""
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)
_MARKDOWN.core.ruler.after("inline", "mentions", _link_mentions)

_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}},
    allowed_classes={"a": {"mention"}},
    attribute_filter=_keep_attribute,
    link_rel="nofollow ugc noopener",
    url_schemes={"http", "https", "mailto"},
)


def render_markdown(source: str, resolve_mentions: MentionResolver | None = None) -> Rendered:
    """Render user Markdown to sanitised HTML, linking the @mentions ``resolve_mentions`` knows.

    ``resolve_mentions`` is called at most once, with every candidate name, and returns a map
    from each real user's candidate name to their canonical username. Without it nothing is
    linked. Raw HTML in ``source`` shows as text; the result is safe to output unescaped.
    """
    if not source.strip():
        return Rendered(html="", mentions=())
    env: dict[str, Any] = {"resolve": resolve_mentions, "mentions": []}
    html = _CLEANER.clean(_MARKDOWN.render(source, env))
    return Rendered(html=html, mentions=tuple(env["mentions"]))


def quote_markdown(source: str, author: str) -> str:
    """Markdown quoting ``source`` as a blockquote under a ``**@author** wrote:`` line.

    Ends with a blank line so it can prefill a reply box with the cursor below the quote.
    """
    lines = [f"> {line}" if line.strip() else ">" for line in source.strip().splitlines()]
    return "\n".join([f"**@{author}** wrote:", *lines]) + "\n\n"


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, with a space wherever a block starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str, limit: int | None = None) -> str:
    """Visible text of rendered HTML with whitespace collapsed, for snippets and e-mails.

    With ``limit``, longer text is cut to at most ``limit`` characters, on a word boundary when
    there is one (text without spaces, such as Chinese, is cut mid-run), and ``…`` appended.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = _WHITESPACE.sub(" ", "".join(collector.parts)).strip()
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
