"""A space's content language: chosen in its settings, guessed for existing spaces by the
migration, and what the app writes into the space is written in it."""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, update

from community.extensions import db
from community.spaces.models import Space
from tests.fixtures.app import make_app
from tests.fixtures.postgres import fresh_postgres_database

MIGRATION = "b7e2c4f1a9d3_space_content_language.py"


def _migration():
    path = Path(__file__).parents[2] / "migrations/versions" / MIGRATION
    spec = importlib.util.spec_from_file_location("content_language_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """The backfill runs on both databases."""
    with contextlib.ExitStack() as stack:
        overrides = {}
        if request.param == "postgresql":
            url = stack.enter_context(fresh_postgres_database("cocreate_content_language"))
            overrides["SQLALCHEMY_DATABASE_URI"] = url
        app = make_app(tmp_path, **overrides)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_migration_gives_existing_spaces_the_language_of_their_content(
    app, create_space, create_thread, space_owner
):
    chinese, english, mixed, empty = (
        create_space(name) for name in ("影像", "Imaging", "Mixed", "Empty")
    )
    for title in ("探测器如何校准", "扫描仪的图像有噪点怎么办", "导出报告为PDF格式"):
        create_thread(chinese, space_owner, title=title)
    for title in ("How do I calibrate the detector?", "Export reports as PDF"):
        create_thread(english, space_owner, title=title)
    create_thread(mixed, space_owner, title="Calibration 校准 detector 探测器 phantom")
    for default in ("en", "zh_Hans"):
        with app.app_context():
            db.session.execute(update(Space).values(content_language="en"))
            _migration().backfill(db.session.connection(), default)
            db.session.commit()
            languages = dict(db.session.execute(select(Space.name, Space.content_language)).all())
        assert languages == {
            "影像": "zh_Hans",
            "Imaging": "en",
            "Mixed": default,
            "Empty": default,
        }


def test_owners_choose_the_language_in_settings(app, client, login, create_space, space_owner):
    space = create_space("Imaging")
    with app.app_context():
        assert db.session.get(Space, space.id).content_language == "en"
    login(client, space_owner)
    page = client.get(f"/s/{space.slug}/settings").get_data(as_text=True)
    assert "Language of the content" in page
    form = {
        "name": "Imaging",
        "slug": space.slug,
        "visibility": "public",
        "content_language": "zh_Hans",
    }
    assert client.submit(f"/s/{space.slug}/settings", form).status_code in (200, 302)
    with app.app_context():
        assert db.session.get(Space, space.id).content_language == "zh_Hans"
    # Anything else is refused and changes nothing.
    for bad in ("fr", "", "zh_Hans\x00", "x" * 5000):
        response = client.submit(f"/s/{space.slug}/settings", {**form, "content_language": bad})
        assert response.status_code in (200, 400), bad
        with app.app_context():
            assert db.session.get(Space, space.id).content_language == "zh_Hans"
