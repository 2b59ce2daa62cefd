"""Answers by others than the asker

``threads.answer_count``: a thread's live replies by anyone but its author. A question's
answers are these only (the asker's own follow-ups are not answers): the "N answers" count,
the Unanswered filter, routing and the knowledge loop read it. Filled here from the posts;
the forums operations keep it, and ``flask forums recount`` counts it again.

Revision ID: e4a7c2d9b815
Revises: bffae394920e
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# Frozen copy of ``community.forums.operations.recount_replies`` for the new column: live
# replies whose author is not the thread's (a NULL author on either side counts as different
# from a known one, as ``IS DISTINCT FROM`` says; SQLite spells it ``IS NOT``).
BACKFILL = """
UPDATE threads SET answer_count = (
    SELECT count(posts.id) FROM posts
    WHERE posts.thread_id = threads.id AND NOT posts.is_opening AND posts.deleted_at IS NULL
      AND posts.author_id {distinct} threads.author_id)
"""


def backfill_statement(dialect: str) -> str:
    """The SQL filling the column from the posts (tests compare it with the application's)."""
    return BACKFILL.format(distinct="IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM")


# revision identifiers, used by Alembic.
revision = 'e4a7c2d9b815'
down_revision = 'bffae394920e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_count', sa.Integer(), nullable=False, server_default='0'))
    op.execute(sa.text(backfill_statement(op.get_bind().dialect.name)))
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.alter_column('answer_count', server_default=None)


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_column('answer_count')
