"""space vote budgets

Revision ID: 8d67c6b076fb
Revises: 8298003bf91b
Create Date: 2026-11-27 08:55:58.692515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d67c6b076fb'
down_revision = '8298003bf91b'
branch_labels = None
depends_on = None


def upgrade():
    # Votes per member on open ideas; NULL: no limit.
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_budget', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_column('vote_budget')
