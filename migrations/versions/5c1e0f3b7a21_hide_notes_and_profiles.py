"""hide brainstorm notes and profiles pending review

Revision ID: 5c1e0f3b7a21
Revises: 1a85a30731e9
Create Date: 2026-11-27 18:50:00

"""
from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = '5c1e0f3b7a21'
down_revision = '1a85a30731e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('brainstorm_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', community.database.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', community.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
    with op.batch_alter_table('brainstorm_notes', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
