"""search in PostgreSQL: the search tables, their GIN indexes and pg_trgm (PostgreSQL only)

On SQLite this does nothing: search there has an index of its own (community/search/
sqlite_backend.py). On PostgreSQL it makes the tables of community/search/pg_schema.py,
which `flask search rebuild` fills from the database.

Revision ID: c5d1a8e3f702
Revises: e2b9f4c7a1d6
Create Date: 2026-12-07 03:30:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "c5d1a8e3f702"
down_revision = "e2b9f4c7a1d6"
branch_labels = None
depends_on = None

NO_TRIGRAMS = (
    "PostgreSQL's pg_trgm extension is not available on this server, and search needs it "
    "(suggestions and 'did you mean'). Install the server's contrib package (Debian: "
    "postgresql-contrib, part of the postgresql package since PostgreSQL 10), or have a "
    "superuser run CREATE EXTENSION pg_trgm in this database, then migrate again."
)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _on_postgresql():
        return
    bind = op.get_bind()
    installed = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar()
    if not installed:
        available = bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).scalar()
        if not available:
            raise RuntimeError(NO_TRIGRAMS)
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError as error:
            raise RuntimeError(f"{NO_TRIGRAMS} ({error.orig})") from error
    op.create_table(
        "search_documents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("doc_id", sa.Text(), nullable=False, unique=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("space_id", sa.Text(), nullable=False),
        sa.Column("visibility", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("space_name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("tag_list", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created", sa.Float()),
        sa.Column("updated", sa.Float()),
        sa.Column("newest", sa.Float(), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("terms", postgresql.TSVECTOR(), nullable=False),
        sa.Column("title_words", postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index(
        "search_documents_terms", "search_documents", ["terms"], postgresql_using="gin"
    )
    op.create_index(
        "search_documents_title_words", "search_documents", ["title_words"], postgresql_using="gin"
    )
    op.create_index(
        "search_documents_tag_list", "search_documents", ["tag_list"], postgresql_using="gin"
    )
    op.create_index("search_documents_newest", "search_documents", ["newest", "id"])
    op.create_index("search_documents_kind", "search_documents", ["kind", "newest"])
    op.create_table(
        "search_spelling",
        sa.Column("word", sa.Text(), primary_key=True),
        sa.Column("term", sa.Text(), nullable=False),
    )
    op.create_index(
        "search_spelling_word_trgm",
        "search_spelling",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )


def downgrade():
    if not _on_postgresql():
        return
    op.drop_table("search_spelling")
    op.drop_table("search_documents")
    # pg_trgm stays: other things in the database may use it.
