"""What the app writes from a session into the space (the promoted idea's description, the
results files) is in the space's content language, not in the language of whoever acts."""

from __future__ import annotations

import csv
import io

from community.accounts.models import User
from community.extensions import db
from community.spaces.models import Space
from tests.brainstorms.test_promote_export import finished  # noqa: F401 - a fixture


def _reads(app, user, locale: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def _space_in(app, space, language: str) -> None:
    with app.app_context():
        db.session.get(Space, space.id).content_language = language
        db.session.commit()


def test_a_chinese_reader_promotes_into_an_english_space(app, client, cast, login, finished):  # noqa: F811
    session_id, ids = finished()
    _reads(app, cast.expert, "zh_Hans")
    login(client, cast.expert)
    html = client.get(f"/sessions/{session_id}/promote?cluster={ids['cluster']}").text
    assert "From the brainstorming session “How could onboarding be faster?”:" in html
    assert "来自头脑风暴会议" not in html


def test_an_english_reader_promotes_into_a_chinese_space(app, client, cast, login, finished):  # noqa: F811
    session_id, ids = finished()
    _space_in(app, cast.space, "zh_Hans")
    login(client, cast.expert)
    html = client.get(f"/sessions/{session_id}/promote?cluster={ids['cluster']}").text
    assert "From the brainstorming session" not in html
    assert "来自头脑风暴会议“How could onboarding be faster?”：" in html


def test_exports_are_in_the_space_language(app, client, cast, login, finished):  # noqa: F811
    session_id, _ids = finished()
    _reads(app, cast.asker, "zh_Hans")
    login(client, cast.asker)
    body = client.get(f"/sessions/{session_id}/results.csv").text
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Rank", "Kind", "Text", "Cluster", "Dots", "Idea", "Authors"]
    md = client.get(f"/sessions/{session_id}/results.md").text
    assert "## Results" in md
    _space_in(app, cast.space, "zh_Hans")
    _reads(app, cast.asker, "en")
    body = client.get(f"/sessions/{session_id}/results.csv").text
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header[0] == "名次"
