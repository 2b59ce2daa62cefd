"""Trending kept on each idea

``ideas.trend`` holds each idea's trending value (``community/ideas/trending.py``): its
proposal, votes and live co-design replies, fading by half every week, kept as ``log2`` of the
sum so that sorting by it is sorting by the score. It is counted here from the existing rows
(in Python, the same on every database) and indexed for trending lists, which no longer count
recent replies by date (``ix_posts_created`` goes).

Revision ID: 7b3e9d41c2a8
Revises: 0f66b4a699e0
Create Date: 2026-11-27 21:55:00.000000

"""
import math
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import community.database

# Frozen copy of ``community.ideas.trending``.
HALF_LIFE = 7.0
PROPOSAL, VOTE, REPLY = 3.0, 2.0, 1.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 1000

ideas = sa.table(
    "ideas",
    sa.column("id", sa.Integer),
    sa.column("thread_id", sa.Integer),
    sa.column("created_at", community.database.UTCDateTime()),
    sa.column("trend", sa.Float),
)
votes = sa.table(
    "idea_votes",
    sa.column("idea_id", sa.Integer),
    sa.column("created_at", community.database.UTCDateTime()),
)
posts = sa.table(
    "posts",
    sa.column("thread_id", sa.Integer),
    sa.column("is_opening", sa.Boolean),
    sa.column("deleted_at", community.database.UTCDateTime()),
    sa.column("created_at", community.database.UTCDateTime()),
)


def key(events) -> float:
    points = [((when - EPOCH).total_seconds() / 86400, weight) for when, weight in events]
    latest = max(at for at, _weight in points)
    total = sum(weight * 2 ** ((at - latest) / HALF_LIFE) for at, weight in points)
    return latest + HALF_LIFE * math.log2(total)


def backfill(bind) -> None:
    """Count every idea's value from its proposal, votes and live replies, a batch at a time
    (tests compare it with the app's own count)."""
    last = 0
    while True:
        batch = bind.execute(
            sa.select(ideas.c.id, ideas.c.created_at)
            .where(ideas.c.id > last)
            .order_by(ideas.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        ids = [row.id for row in batch]
        found = {row.id: [(row.created_at, PROPOSAL)] for row in batch}
        for idea_id, when in bind.execute(
            sa.select(votes.c.idea_id, votes.c.created_at).where(votes.c.idea_id.in_(ids))
        ):
            found[idea_id].append((when, VOTE))
        for idea_id, when in bind.execute(
            sa.select(ideas.c.id, posts.c.created_at)
            .join(posts, posts.c.thread_id == ideas.c.thread_id)
            .where(
                ideas.c.id.in_(ids),
                posts.c.is_opening.is_(False),
                posts.c.deleted_at.is_(None),
            )
        ):
            found[idea_id].append((when, REPLY))
        bind.execute(
            ideas.update().where(ideas.c.id == sa.bindparam("idea_id")).values(trend=sa.bindparam("value")),
            [{"idea_id": idea_id, "value": key(events)} for idea_id, events in found.items()],
        )
        last = ids[-1]


# revision identifiers, used by Alembic.
revision = '7b3e9d41c2a8'
down_revision = '0f66b4a699e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trend', sa.Float(), server_default='0', nullable=False))
    backfill(op.get_bind())
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_trend', ['trend', 'id'], unique=False)
        batch_op.create_index('ix_ideas_space_trend', ['space_id', 'trend', 'id'], unique=False)
        batch_op.create_index('ix_ideas_thread_id', ['thread_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_created')

    # Statistics for the planner about the new indexes: SQLite keeps none until asked, and
    # without them it may prefer a new index where an older one with statistics is better.
    op.execute("ANALYZE ideas")


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_created', ['created_at', 'thread_id', 'is_opening', 'deleted_at'], unique=False)

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_thread_id')
        batch_op.drop_index('ix_ideas_space_trend')
        batch_op.drop_index('ix_ideas_trend')
        batch_op.drop_column('trend')
