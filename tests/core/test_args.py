"""The shared argument fields (``community/web/args.py``): what each takes and what it refuses."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
import pytest

from community.web.args import (
    ID_MAX,
    Args,
    Choice,
    Day,
    Flag,
    Id,
    Month,
    Page,
    Text,
    Whole,
    load,
)


class Everything(Args):
    page = Page()
    id = Id(load_default=None)
    strict_id = Id(strict=True, load_default=None)
    day = Day()
    month = Month()
    choice = Choice(["a", "b"])
    text = Text(5)
    cut = Text(3, cut=True)
    flag = Flag()
    strict_flag = Flag(strict=True)
    count = Whole(0, 10, load_default=None)


def problems(app, values: dict) -> list[str]:
    with app.test_request_context():
        return load(Everything(), values)[1]


def loaded(app, values: dict) -> dict:
    with app.test_request_context():
        result, wrong = load(Everything(), values)
        assert wrong == []
        return result


def test_defaults_and_empty_values_count_as_not_given(app):
    empty = dict.fromkeys(Everything().fields, "")
    assert loaded(app, {}) == loaded(app, empty)
    assert loaded(app, {})["page"] == 1 and loaded(app, {})["day"] is None


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"page": "3"}, {"page": 3}),
        ({"id": str(ID_MAX)}, {"id": ID_MAX}),
        ({"strict_id": 7}, {"strict_id": 7}),
        ({"day": "2024-02-29"}, {"day": date(2024, 2, 29)}),
        ({"month": "2026-12"}, {"month": date(2026, 12, 1)}),
        ({"choice": "b"}, {"choice": "b"}),
        ({"cut": "abcdef"}, {"cut": "abc"}),
        ({"flag": "1", "strict_flag": True}, {"flag": True, "strict_flag": True}),
        ({"count": "+0"}, {"count": 0}),
    ],
)
def test_good_values(app, values, expected):
    result = loaded(app, values)
    assert {k: result[k] for k in expected} == expected


@pytest.mark.parametrize(
    "values, message",
    [
        ({"page": "0"}, "page: Enter a whole number from 1 to 10000."),
        ({"page": "10001"}, "page: Enter a whole number from 1 to 10000."),
        ({"page": "99999999999999999999"}, "page: Enter a whole number from 1 to 10000."),
        ({"page": "1.5"}, "page: Enter a whole number."),
        ({"page": "1e3"}, "page: Enter a whole number."),
        ({"page": "٣"}, "page: Enter a whole number."),  # an Arabic-Indic digit
        ({"id": str(ID_MAX + 1)}, "id: Enter a whole number from 1 to 2147483647."),
        ({"strict_id": "7"}, "strict_id: Enter a whole number."),
        ({"strict_id": True}, "strict_id: Enter a whole number."),
        ({"strict_id": 7.0}, "strict_id: Enter a whole number."),
        ({"day": "9999-12-31"}, "day: Choose a date from 1970-01-01 to 2100-12-31."),
        ({"day": "0001-01-01"}, "day: Choose a date from 1970-01-01 to 2100-12-31."),
        ({"day": "2024-02-30"}, "day: Enter a date as YYYY-MM-DD."),
        ({"day": "now"}, "day: Enter a date as YYYY-MM-DD."),
        ({"day": "20240101"}, "day: Enter a date as YYYY-MM-DD."),
        ({"month": "9999-12"}, "month: Choose a month from 1970-01-01 to 2100-12-31."),
        ({"month": "2026-13"}, "month: Enter a month as YYYY-MM."),
        ({"choice": "c"}, "choice: Choose one of: a, b."),
        ({"text": "abcdef"}, "text: At most 5 characters."),
        ({"flag": "yes"}, "flag: Enter 1 or 0."),
        ({"strict_flag": "1"}, "strict_flag: Enter 1 or 0."),
        ({"count": "-1"}, "count: Enter a whole number from 0 to 10."),
    ],
)
def test_bad_values_are_named_and_explained(app, values, message):
    assert problems(app, values) == [message]


def test_a_field_can_say_one_thing_for_every_failure(app):
    schema = ma.Schema.from_dict({"note": Id(strict=True, required=True, message="No note.")})()
    with app.test_request_context():
        for values in ({}, {"note": "1"}, {"note": None}, {"note": 0}):
            assert load(schema, values)[1] == ["note: No note."]


def test_messages_are_translated(app):
    with app.test_request_context(headers={"Accept-Language": "zh-Hans"}):
        (message,) = load(Everything(), {"page": "x"})[1]
    assert message == "page：请输入整数。"
