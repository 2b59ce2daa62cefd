"""search on PostgreSQL: GIN indexes written directly, without a pending list (PostgreSQL only)

With ``fastupdate`` on (PostgreSQL's default) a GIN index collects new entries in an unsorted
pending list until a vacuum or 4 MB of them: every search scans that list whole, and the
planner, counting its pages, walked the table for words the index would have found. Each
document write now updates the indexes directly (as fast, measured: bench/README.md), and the
list left from before is merged now. On SQLite this does nothing.

Revision ID: a6f3c9e1d2b7
Revises: d2c7e9a4f1b6
Create Date: 2026-12-07 08:35:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a6f3c9e1d2b7"
down_revision = "d2c7e9a4f1b6"
branch_labels = None
depends_on = None

INDEXES = ("search_documents_terms", "search_documents_title_words", "search_documents_tag_list")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        op.execute(
            sa.text("SELECT gin_clean_pending_list(CAST(:name AS regclass))").bindparams(name=name)
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (fastupdate)")
