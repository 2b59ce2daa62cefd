"""Indexes for Insights' top ideas by votes in a range

``ix_ideas_votes`` lets the top ideas by votes cast in a range walk the ideas from the most
voted down (``community.analytics.votes``); ``ix_idea_votes_idea_segment`` gains the vote's
time, so that the votes an idea got from a segment in a range are one index range.

Revision ID: 3d8e51c0a7b2
Revises: 0f66b4a699e0
Create Date: 2026-11-27 21:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3d8e51c0a7b2'
down_revision = '0f66b4a699e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_idea_segment')
        batch_op.create_index('ix_idea_votes_idea_segment', ['idea_id', 'segment', 'created_at'], unique=False)

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_votes', ['vote_count', 'id', 'space_id', 'product_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_votes')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_idea_segment')
        batch_op.create_index('ix_idea_votes_idea_segment', ['idea_id', 'segment'], unique=False)
