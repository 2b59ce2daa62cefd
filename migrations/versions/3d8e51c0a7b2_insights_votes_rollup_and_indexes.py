"""Insights demand: the votes rollup, and indexes for the top ideas by votes in a range

``vote_days`` counts the votes per UTC day, segment and organisation (as recorded on the
votes) and ``vote_voters`` holds each voter's last vote per segment and organisation; both are
filled here from the existing votes. ``ix_ideas_votes`` lets the top ideas by votes cast in a
range walk the ideas from the most voted down (``community.analytics.votes``);
``ix_idea_votes_idea_segment`` gains the vote's time, so that the votes an idea got from a
segment in a range are one index range.

Revision ID: 3d8e51c0a7b2
Revises: 7b3e9d41c2a8
Create Date: 2026-11-27 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.database

# Frozen copy of ``community.analytics.rollup``'s backfill of the votes rollup. Only the day of
# a UTC timestamp is spelt per database.
VOTE_DAYS = """
INSERT INTO vote_days (day, segment, organisation, votes)
SELECT {day}, segment, organisation, COUNT(*)
FROM idea_votes
GROUP BY {day}, segment, organisation
"""

VOTE_VOTERS = """
INSERT INTO vote_voters (segment, organisation, user_id, last_voted_at)
SELECT segment, organisation, user_id, MAX(created_at)
FROM idea_votes
GROUP BY segment, organisation, user_id
"""


def backfill_statements(dialect: str) -> list[str]:
    """The SQL filling both tables from the votes (tests run it against the app's own
    rollup)."""
    if dialect == "sqlite":
        day = "date(created_at)"
    else:
        day = "CAST(timezone('UTC', created_at) AS DATE)"
    return [VOTE_DAYS.format(day=day), VOTE_VOTERS]


# revision identifiers, used by Alembic.
revision = '3d8e51c0a7b2'
down_revision = '7b3e9d41c2a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vote_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('segment', sa.String(length=40), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'segment', 'organisation', name=op.f('pk_vote_days')),
    sqlite_with_rowid=False
    )
    op.create_table('vote_voters',
    sa.Column('segment', sa.String(length=40), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_voted_at', community.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_vote_voters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment', 'organisation', 'user_id', name=op.f('pk_vote_voters')),
    sqlite_with_rowid=False
    )
    for statement in backfill_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
    with op.batch_alter_table('vote_voters', schema=None) as batch_op:
        batch_op.create_index('ix_vote_voters_last', ['last_voted_at', 'segment', 'organisation', 'user_id'], unique=False)

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_idea_segment')
        batch_op.create_index('ix_idea_votes_idea_segment', ['idea_id', 'segment', 'created_at'], unique=False)

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_votes', ['vote_count', 'id', 'space_id', 'product_id'], unique=False)

    # Statistics for the planner about the new indexes: SQLite keeps none until asked, and
    # without them it may prefer a new index where an older one with statistics is better.
    op.execute("ANALYZE ideas")
    op.execute("ANALYZE idea_votes")
    op.execute("ANALYZE vote_days")
    op.execute("ANALYZE vote_voters")


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_votes')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_idea_segment')
        batch_op.create_index('ix_idea_votes_idea_segment', ['idea_id', 'segment'], unique=False)

    with op.batch_alter_table('vote_voters', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_voters_last')

    op.drop_table('vote_voters')
    op.drop_table('vote_days')
