"""brainstorm sessions: whether dot totals are shown while voting

Revision ID: c4d1e8a2f6b7
Revises: 5b1d0c7e2a94
Create Date: 2026-12-01 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4d1e8a2f6b7"
down_revision = "5b1d0c7e2a94"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("brainstorm_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dot_totals", sa.String(length=16), server_default="hidden", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("brainstorm_sessions", schema=None) as batch_op:
        batch_op.drop_column("dot_totals")
