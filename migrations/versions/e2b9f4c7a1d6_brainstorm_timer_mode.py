"""brainstorm sessions: hard or soft timer

Revision ID: e2b9f4c7a1d6
Revises: a7e3b9d51c28
Create Date: 2026-12-07 02:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e2b9f4c7a1d6"
down_revision = "a7e3b9d51c28"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("brainstorm_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timer_mode", sa.String(length=16), server_default="hard", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("brainstorm_sessions", schema=None) as batch_op:
        batch_op.drop_column("timer_mode")
