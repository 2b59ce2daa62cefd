"""Migrations build exactly the models' schema, from empty, and roll back."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text

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
            if db.engine.dialect.name == "postgresql":
                assert _search_index_options(conn) == _search_index_options_expected()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()


def _search_index_options(conn) -> dict[str, list[str]]:
    """The storage options of the search tables' indexes (Alembic does not compare them)."""
    rows = conn.execute(
        text(
            "SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))"
        ),
        {"tables": sorted(SEARCH_TABLES)},
    )
    return {name: sorted(options) for name, options in rows if options}


def _search_index_options_expected() -> dict[str, list[str]]:
    return {
        index.name: sorted(
            f"{k}={v}" for k, v in index.dialect_options["postgresql"]["with"].items()
        )
        for table in search_tables.tables.values()
        for index in table.indexes
        if index.dialect_options["postgresql"]["with"]
    }


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


def test_upgrading_from_the_previous_revision_keeps_the_data_on_postgresql(tmp_path):
    """A site of the previous release (the schema one migration before the head), full of
    the demo's data, upgrades on PostgreSQL to exactly the models' schema, its rows kept."""
    from flask import current_app

    from community import demo

    with fresh_postgres_database("cocreate_upgrade") as url:
        app = create_app(
            TestingConfig, SQLALCHEMY_DATABASE_URI=url, SEARCH_INDEX_DIR=str(tmp_path / "s")
        )
        with app.app_context():
            flask_migrate.upgrade()
            demo.load_demo()
            db.session.commit()
            counts = _row_counts()
            script = ScriptDirectory.from_config(
                current_app.extensions["migrate"].migrate.get_config()
            )
            previous = script.get_revision(script.get_current_head()).down_revision
            db.session.remove()
            flask_migrate.downgrade(revision=previous)

            flask_migrate.upgrade()

            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": not_a_model}
                )
                assert compare_metadata(context, db.metadata) == []
            assert _row_counts() == counts
            db.session.remove()
            db.engine.dispose()


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()  # noqa: S608
            for name in ("users", "spaces", "threads", "posts", "ideas", "idea_votes")
        }
