"""Migrations build exactly the models' schema, from empty, and roll back."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from community import create_app
from community.config import TestingConfig
from community.extensions import db
from community.search.pg_schema import TABLES as SEARCH_TABLES
from community.search.pg_schema import metadata as search_tables
from community.search.pg_schema import not_a_model
from tests.fixtures.postgres import fresh_postgres_database


def assert_migrations_match_models(url: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": not_a_model}
            )
            assert compare_metadata(context, db.metadata) == []
            # On PostgreSQL, the search tables beside the models: as pg_schema makes them.
            search = MigrationContext.configure(conn, opts={"compare_type": True})
            expected = search_tables if db.engine.dialect.name == "postgresql" else MetaData()
            assert [
                diff for diff in compare_metadata(search, expected) if _is_search_diff(diff)
            ] == []
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()


def _is_search_diff(diff) -> bool:
    """Whether an Alembic difference is about a search table (the others are the models')."""
    while isinstance(diff, list):
        diff = diff[0]
    for item in diff[1:]:
        table = getattr(item, "table", item)
        if getattr(table, "name", None) in SEARCH_TABLES or item in SEARCH_TABLES:
            return True
    return False


def test_migrations_on_empty_sqlite(tmp_path):
    assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrated.db'}")


def test_migrations_on_empty_postgresql():
    with fresh_postgres_database("cocreate_migrations") as url:
        assert_migrations_match_models(url)
