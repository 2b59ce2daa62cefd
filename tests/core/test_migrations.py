"""Migrations build exactly the models' schema, from empty, and roll back."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from community import create_app
from community.config import TestingConfig
from community.extensions import db
from tests.fixtures.postgres import fresh_postgres_database


def assert_migrations_match_models(url: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()


def test_migrations_on_empty_sqlite(tmp_path):
    assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrated.db'}")


def test_migrations_on_empty_postgresql():
    with fresh_postgres_database("cocreate_migrations") as url:
        assert_migrations_match_models(url)
