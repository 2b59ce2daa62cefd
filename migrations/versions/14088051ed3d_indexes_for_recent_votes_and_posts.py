"""indexes for recent votes and posts

Revision ID: 14088051ed3d
Revises: 5b2e7c41a9d3
Create Date: 2026-11-27 10:17:48.027366

"""
from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = '14088051ed3d'
down_revision = '5b2e7c41a9d3'
branch_labels = None
depends_on = None


def upgrade():
    # Trending ideas count the votes and replies of the last 14 days: range scans on these.
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_created', ['created_at', 'idea_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_created', ['created_at', 'thread_id', 'is_opening', 'deleted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_created')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_created')
