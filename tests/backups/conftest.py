"""Backups need the schema revision ``flask db upgrade`` records; test apps make their tables
with ``create_all``, so each is stamped with the head revision first."""

from __future__ import annotations

import flask_migrate
import pytest

from community import create_app
from community.config import TestingConfig
from tests.fixtures.app import Client


def stamp(app) -> None:
    """Record the head revision, as ``flask db upgrade`` would have."""
    with app.app_context():
        flask_migrate.stamp()


def bare_app(folder, url: str):
    """An app on the database at ``url`` as it is (no tables made: a fresh database)."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        SEARCH_INDEX_DIR=str(folder / "search"),
        BACKUP_DIR=str(folder / "backups"),
    )
    app.test_client_class = Client
    return app


@pytest.fixture
def stamped(app):
    """The test app, stamped."""
    stamp(app)
    return app
