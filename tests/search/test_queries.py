"""What searching finds: both languages, highlights, facets, sorting, odd input."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.app import page_text


@pytest.fixture
def corpus(cast, create_thread, create_reply):
    threads = {
        "calibrate": create_thread(
            cast.space,
            cast.asker,
            title="Calibrating the CT detectors",
            body="The detectors drift after updates.",
            tags="calibration",
        ),
        "chinese": create_thread(
            cast.space,
            cast.asker,
            kind="discussion",
            title="拼装说明第三步看不懂",
            body="衣柜的螺丝应该装在哪个孔？",
            tags="组装",
        ),
        "mixed": create_thread(
            cast.space,
            cast.expert,
            title="PACS 迁移的时候 DICOM router 丢图",
            body="Orchestrating the 路由器 migration",
            tags="pacs",
        ),
    }
    create_reply(
        threads["calibrate"],
        cast.expert,
        "Run the <script>alert(1)</script> phantom calibration twice.",
    )
    return threads


def test_english_stemming(corpus, found):
    assert found("calibrate") == [
        "Calibrating the CT detectors",
        "Re: Calibrating the CT detectors",
    ]
    assert found("detector") == ["Calibrating the CT detectors"]


def test_chinese_words_and_parts(corpus, found):
    assert found("拼装") == ["拼装说明第三步看不懂"]
    assert found("说明") == ["拼装说明第三步看不懂"]
    assert found("螺丝") == ["拼装说明第三步看不懂"]


def test_mixed_language_in_one_field(corpus, found):
    assert found("迁移 DICOM") == ["PACS 迁移的时候 DICOM router 丢图"]
    assert found("路由器 orchestrate") == ["PACS 迁移的时候 DICOM router 丢图"]


def test_snippets_are_escaped_and_highlighted(corpus, client):
    html = client.get("/search?q=phantom").get_data(as_text=True)
    assert "<mark" in html and "phantom</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_facets_filter_and_count(corpus, client, found):
    html = client.get("/search?q=calibration OR 螺丝 OR dicom").get_data(as_text=True)
    text = page_text(client.get("/search", query_string={"q": "calibrate"}))
    assert "Threads 1" in text and "Replies 1" in text
    assert found("calibrate", kind="post") == ["Re: Calibrating the CT detectors"]
    assert found("calibrate", status="unsolved") == ["Calibrating the CT detectors"]
    assert found("calibrate", tag="calibration") == [
        "Calibrating the CT detectors",
        "Re: Calibrating the CT detectors",
    ]
    assert html  # an OR query parses and renders


def test_sort_by_date_and_pagination(cast, create_thread, found, client):
    for n in range(13):
        create_thread(cast.space, cast.asker, title=f"Firmware note {n:02d}", body="firmware")
    newest = found("firmware", sort="date")
    assert newest[0] == "Firmware note 12" and len(newest) == 10
    second = found("firmware", sort="date", page=2)
    assert second == ["Firmware note 02", "Firmware note 01", "Firmware note 00"]


def test_did_you_mean(corpus, client):
    text = page_text(client.get("/search?q=detektors"))
    assert "Did you mean: detectors" in text


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "(((",
        '"unbalanced',
        "AND OR NOT",
        "x" * 10_000,
        "a\x00b\x1f\x7f",
        "*",
        "title:",
        "\u202e\u200b",
    ],
)
def test_odd_queries_get_a_quick_clear_answer(corpus, client, q):
    started = time.monotonic()
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert time.monotonic() - started < 5
    suggest = client.get("/search/suggest", query_string={"q": q})
    assert suggest.status_code == 200 and isinstance(suggest.json["results"], list)


def test_suggestions_match_title_prefixes(corpus, client):
    data = client.get("/search/suggest?q=calib").json
    assert [r["title"] for r in data["results"]] == ["Calibrating the CT detectors"]
    assert data["results"][0]["url"].startswith("/t/")
    assert (
        client.get("/search/suggest?q=拼装").json["results"][0]["title"] == "拼装说明第三步看不懂"
    )
    assert client.get("/search/suggest?q=calib&kind=post").json["results"] == []
    assert client.get("/search/suggest?q=calib").headers["Cache-Control"] == "private, no-store"


def test_header_search_box_is_on_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'data-suggest="/search/suggest"' in html
