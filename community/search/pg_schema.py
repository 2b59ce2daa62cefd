"""The search tables of the PostgreSQL backend (``pg_backend.py``), beside the application's.

They live in the application's database, so index writes commit with the content they
describe, but they are not models: they exist only on PostgreSQL (the migration that makes
them does nothing on SQLite, where search has an index of its own), and nothing but the
backend reads them. ``db.create_all()`` on PostgreSQL (the tests) makes them too, through the
hooks at the end of this module.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

from community.database import Base

metadata = MetaData()
NO_PENDING = {"fastupdate": "off"}

documents = Table(
    "search_documents",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("doc_id", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("space_id", Text, nullable=False),
    Column("visibility", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("author_id", Text, nullable=False),
    Column("author_name", Text, nullable=False),
    Column("space_name", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),  # the first STORED_BODY_CHARS, for snippets
    Column("tags", Text, nullable=False),  # comma-separated, as shown
    Column("tag_list", ARRAY(Text), nullable=False),  # the same, for filtering
    Column("url", Text, nullable=False),
    Column("created", Float),  # seconds since 1970, as in the SQLite index
    Column("updated", Float),
    Column("newest", Float, nullable=False),  # updated, else created, else 0: "newest first"
    Column("title_terms", Text, nullable=False),  # the title's terms, space-separated
    Column("terms", TSVECTOR, nullable=False),  # title (A), tags (B), body (D)
    Column("title_words", TSVECTOR, nullable=False),  # title words as typed and stems
    # Written directly, without a pending list that every search would scan (``fastupdate``).
    Index("search_documents_terms", "terms", postgresql_using="gin", postgresql_with=NO_PENDING),
    Index(
        "search_documents_title_words",
        "title_words",
        postgresql_using="gin",
        postgresql_with=NO_PENDING,
    ),
    Index(
        "search_documents_tag_list", "tag_list", postgresql_using="gin", postgresql_with=NO_PENDING
    ),
    Index("search_documents_newest", "newest", "id"),
    Index("search_documents_kind", "kind", "newest"),
)

spelling = Table(
    "search_spelling",
    metadata,
    Column("word", Text, primary_key=True),
    Column("term", Text, nullable=False),
    Index(
        "search_spelling_word_trgm",
        "word",
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    ),
)

TABLES = frozenset(metadata.tables)


def not_a_model(name, type_, parent_names) -> bool:
    """For Alembic's ``include_name``: leave these tables out of comparisons with the models."""
    if type_ == "table":
        return name not in TABLES
    return parent_names.get("table_name") not in TABLES


@event.listens_for(Base.metadata, "after_create")
def _create(target, connection, **_kw) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        metadata.create_all(connection)


@event.listens_for(Base.metadata, "before_drop")
def _drop(target, connection, **_kw) -> None:
    if connection.dialect.name == "postgresql":
        metadata.drop_all(connection)
