"""failed background jobs, kept for admins to retry or delete

Revision ID: b8d3f1a2c6e4
Revises: c5d1a8e3f702
Create Date: 2026-12-07 06:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = "b8d3f1a2c6e4"
down_revision = "c5d1a8e3f702"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "failed_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_at", community.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_jobs")),
    )
    with op.batch_alter_table("failed_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_failed_jobs_failed", ["failed_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("failed_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_jobs_failed")
    op.drop_table("failed_jobs")
