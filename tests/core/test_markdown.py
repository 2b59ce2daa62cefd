"""Markdown rendering: formatting, sanitising, @mentions, quoting and plain-text snippets."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from community.text.markdown import Rendered, plain_text, quote_markdown, render_markdown

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class ParsedHtml(HTMLParser):
    """Every tag and attribute of a fragment, with attribute values entity-decoded."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def users(*names: str):
    """A resolver that knows ``names`` case-insensitively and records how it was called."""
    known = {name.lower(): name for name in names}
    calls: list[list[str]] = []

    def resolve(candidates: list[str]) -> dict[str, str]:
        calls.append(list(candidates))
        return {c: known[c.lower()] for c in candidates if c.lower() in known}

    resolve.calls = calls
    return resolve


def assert_safe(html: str) -> None:
    """No script, no event handler, no dangerous URL scheme, nothing off the allow-list."""
    assert "<script" not in html.lower()
    for tag in re.findall(r"<[^>]*>", html):
        assert not re.search(r"\son\w+=", tag, re.IGNORECASE), tag
    for tag, attrs in ParsedHtml(html).tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                # Browsers ignore tabs, newlines and case in a scheme, so the check does too.
                bare = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not bare.startswith(BAD_SCHEMES), (tag, value)


# Formatting


def test_empty_and_blank_source_render_nothing():
    assert render_markdown("") == Rendered(html="", mentions=())
    assert render_markdown("  \n\t\n") == Rendered(html="", mentions=())


def test_headings_emphasis_and_strikethrough():
    # markdown-it-py renders ~~strikethrough~~ as <s>, which the allow-list keeps.
    html = render_markdown("# Title\n\n### Sub\n\n*a* **b** ~~c~~").html
    assert "<h1>Title</h1>" in html and "<h3>Sub</h3>" in html
    assert "<em>a</em>" in html and "<strong>b</strong>" in html and "<s>c</s>" in html


def test_lists_keep_their_start_number():
    html = render_markdown("- one\n- two\n\n3. three\n4. four").html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html and "<li>four</li>" in html


def test_fenced_code_is_escaped_and_loses_its_class():
    html = render_markdown("```python\n<script>alert(1)</script>\n```").html
    assert html == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"


def test_indented_code_and_inline_code():
    html = render_markdown("    x < y\n\nuse `a && b` here").html
    assert "<pre><code>x &lt; y\n</code></pre>" in html
    assert "<code>a &amp;&amp; b</code>" in html


def test_table_renders_without_alignment_styles():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |").html
    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html
    assert "style" not in html


def test_blockquote_and_rule():
    html = render_markdown("> quoted\n\n---").html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html and "<hr>" in html


def test_hard_line_break():
    assert "<br>" in render_markdown("one  \ntwo").html


# Links and images


@pytest.mark.parametrize(
    "source, href",
    [
        ("[site](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&amp;c=2"),
        ("[site](http://example.com)", "http://example.com"),
        ("[mail](mailto:someone@example.com)", "mailto:someone@example.com"),
        ("<https://example.com>", "https://example.com"),
        ("[page](/spaces/1)", "/spaces/1"),
    ],
)
def test_links_are_kept_with_rel(source, href):
    html = render_markdown(source).html
    assert f'href="{href}"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_link_title_is_kept():
    html = render_markdown('[x](https://example.com "Hello")').html
    assert 'title="Hello"' in html


def test_user_supplied_classes_are_dropped():
    html = render_markdown("[x](https://example.com)").html
    assert "class" not in html


def test_https_image_kept_with_alt():
    html = render_markdown('![A cat](https://img.example.com/cat.png "Cat")').html
    assert '<img src="https://img.example.com/cat.png" alt="A cat" title="Cat">' in html


@pytest.mark.parametrize("src", ["/static/x.png", "//host/x.png", "x.png", "ftp://host/x.png"])
def test_non_absolute_http_image_sources_removed(src):
    html = render_markdown(f"![pic]({src})").html
    assert "src=" not in html and 'alt="pic"' in html


# XSS battery


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,AAAA)",
        "![x](data:image/png;base64,AAAA)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=//evil></iframe>",
        "<javascript:alert(1)>",
        '[x](https://example.com ""><script>alert(1)</script>")',
        "[x](https://example.com '\"><script>alert(1)</script>')",
        '![x](https://example.com/x.png ""><img src=x onerror=alert(1)>")',
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "`<script>`<script>",
        "<!-- <script>alert(1)</script> -->",
        "| <script> | b |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |",
    ],
)
def test_xss_is_neutralised(source):
    html = render_markdown(source).html
    assert_safe(html)


def test_raw_html_shows_as_text():
    html = render_markdown("<b>hi</b>").html
    assert html == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_mention_cannot_smuggle_markup():
    resolve = users("alice")
    html = render_markdown("@alice<script>alert(1)</script>", resolve).html
    assert_safe(html)
    assert 'class="mention"' in html


# Mentions


def test_resolved_mention_becomes_profile_link():
    rendered = render_markdown("Thanks @alice!", users("alice"))
    assert rendered.html == (
        '<p>Thanks <a href="/u/alice" class="mention" rel="nofollow ugc noopener">@alice</a>!</p>\n'
    )
    assert rendered.mentions == ("alice",)


def test_canonical_spelling_is_used():
    rendered = render_markdown("hi @ALICE", users("alice"))
    assert '<a href="/u/alice" class="mention"' in rendered.html and ">@alice</a>" in rendered.html
    assert rendered.mentions == ("alice",)


def test_unresolved_mention_stays_text():
    rendered = render_markdown("hi @nobody", users("alice"))
    assert rendered.html == "<p>hi @nobody</p>\n" and rendered.mentions == ()


def test_no_resolver_links_nothing():
    rendered = render_markdown("hi @alice")
    assert rendered.html == "<p>hi @alice</p>\n" and rendered.mentions == ()


@pytest.mark.parametrize(
    "source",
    [
        "`@alice`",
        "```\n@alice\n```",
        "    @alice",
        "[@alice](https://example.com)",
        "[see @alice here](https://example.com)",
        "<https://example.com/@alice>",
        "![@alice](https://example.com/a.png)",
        "\\@alice",
    ],
)
def test_mentions_in_code_links_and_escapes_are_not_linked(source):
    resolve = users("alice")
    rendered = render_markdown(source, resolve)
    assert "mention" not in rendered.html and rendered.mentions == ()


@pytest.mark.parametrize(
    "source", ["mail alice@example.com", "x@alice", "@@alice", "/@alice", "a.@alice", "_@alice"]
)
def test_not_mentions(source):
    resolve = users("alice", "example.com")
    rendered = render_markdown(source, resolve)
    assert "mention" not in rendered.html and rendered.mentions == ()


def test_mention_after_punctuation_and_markup():
    rendered = render_markdown("(@alice) *hey*@bob, @carol:", users("alice", "bob", "carol"))
    assert rendered.mentions == ("alice", "bob", "carol")
    assert "(<a" in rendered.html and "</a>)" in rendered.html and "</a>:" in rendered.html


def test_chinese_username_is_url_quoted():
    rendered = render_markdown("你好 @王芳", users("王芳"))
    assert '<a href="/u/%E7%8E%8B%E8%8A%B3" class="mention"' in rendered.html
    assert ">@王芳</a>" in rendered.html
    assert rendered.mentions == ("王芳",)


def test_trailing_dot_is_not_part_of_the_name():
    rendered = render_markdown("Ask @alice.", users("alice"))
    assert rendered.html.endswith(">@alice</a>.</p>\n")
    assert rendered.mentions == ("alice",)


def test_dotted_username_is_one_mention():
    rendered = render_markdown("cc @jo.smith", users("jo.smith", "jo"))
    assert rendered.mentions == ("jo.smith",)


def test_single_character_and_overlong_names_are_not_candidates():
    resolve = users("a")
    render_markdown("@a and @" + "b" * 31, resolve)
    assert resolve.calls == []


def test_resolver_called_once_with_unique_candidates_in_order():
    resolve = users("alice", "bob")
    source = "@bob @alice\n\n- @alice\n- @zed\n\n# @bob\n\n| @alice |\n|---|\n| @bob |"
    rendered = render_markdown(source, resolve)
    assert resolve.calls == [["bob", "alice", "zed"]]
    assert rendered.mentions == ("bob", "alice")
    assert rendered.html.count('class="mention"') == 6


def test_duplicates_in_different_spellings_are_reported_once():
    rendered = render_markdown("@Alice @alice @ALICE", users("alice"))
    assert rendered.mentions == ("alice",)
    assert rendered.html.count('href="/u/alice"') == 3


def test_resolver_not_called_without_candidates():
    resolve = users("alice")
    render_markdown("nothing to see, `@alice`", resolve)
    assert resolve.calls == []


def test_mention_inside_emphasis_and_heading():
    rendered = render_markdown("## To **@alice**", users("alice"))
    assert '<h2>To <strong><a href="/u/alice" class="mention"' in rendered.html


# Quoting


def test_quote_markdown_format():
    assert quote_markdown("first\n\nsecond\n", "alice") == (
        "**@alice** wrote:\n> first\n>\n> second\n\n"
    )


def test_quote_markdown_renders_as_attributed_blockquote():
    source = "Line one\nline *two*\n\n> earlier quote"
    rendered = render_markdown(quote_markdown(source, "alice"), users("alice"))
    assert rendered.mentions == ("alice",)
    assert rendered.html.startswith('<p><strong><a href="/u/alice" class="mention"')
    quoted = rendered.html.split("<blockquote>", 1)[1]
    assert "Line one\nline <em>two</em>" in quoted
    assert "<blockquote>\n<p>earlier quote</p>\n</blockquote>" in quoted


def test_quote_markdown_handles_windows_line_endings():
    assert quote_markdown("a\r\nb", "bob") == "**@bob** wrote:\n> a\n> b\n\n"


# Plain text


def test_plain_text_strips_tags_and_unescapes():
    html = render_markdown("# Hi\n\nFish &amp; chips <tag>\n\n- one\n- two").html
    assert plain_text(html) == "Hi Fish & chips <tag> one two"


def test_plain_text_collapses_whitespace_and_separates_blocks():
    assert plain_text("<p>a\n\n  b</p><p>c</p>") == "a b c"
    assert plain_text("<p>un<em>broken</em></p>") == "unbroken"


def test_plain_text_of_empty_html():
    assert plain_text("") == ""


def test_plain_text_short_enough_is_untouched():
    assert plain_text("<p>hello world</p>", limit=11) == "hello world"


def test_plain_text_truncates_on_word_boundary():
    assert plain_text("<p>hello wonderful world</p>", limit=12) == "hello…"
    assert plain_text("<p>hello wonderful world</p>", limit=15) == "hello wonderful…"


def test_plain_text_cuts_text_without_spaces():
    assert plain_text("<p>你好世界欢迎</p>", limit=4) == "你好世界…"
