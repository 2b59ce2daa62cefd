"""Held posts, live counts and the words of moderation cases

``threads.held``, ``posts.held``, ``ideas.held``: held for a moderator's approval (and hidden),
set here from the open held cases. An idea's co-design thread is hidden (and held) with the
idea. A space's ``thread_count`` and a thread's ``reply_count`` and ``answer_count`` count only
live rows (neither deleted nor hidden), recounted here where hidden rows are; the posts' index
for a thread's live replies in order covers ``hidden_at`` too. ``moderation_cases.original``:
an open case's item's words when it opened (filled here with its words now), and
``edited_at``: when they last changed while it was open.

Revision ID: 3ec38a441c18
Revises: e90458bfa56a
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = '3ec38a441c18'
down_revision = 'e90458bfa56a'
branch_labels = None
depends_on = None

HELD_TABLES = {"threads": "thread", "posts": "post", "ideas": "idea"}
POSTS_INDEX = ['thread_id', 'created_at', 'id', 'is_opening', 'deleted_at', 'author_id']

# Frozen SQL (the application keeps these as it goes: community.forums.operations and
# community.moderation.operations). Booleans are bound, so both databases read them alike.
MARK_HELD = """
UPDATE {table} SET held = :yes
WHERE hidden_at IS NOT NULL AND id IN (
    SELECT target_id FROM moderation_cases
    WHERE target_type = :kind AND held = :yes AND state = 'open')
"""
HIDE_CODESIGN_THREADS = """
UPDATE threads SET
    hidden_at = (SELECT ideas.hidden_at FROM ideas WHERE ideas.thread_id = threads.id),
    held = (SELECT ideas.held FROM ideas WHERE ideas.thread_id = threads.id)
WHERE hidden_at IS NULL
  AND id IN (SELECT thread_id FROM ideas WHERE hidden_at IS NOT NULL AND thread_id IS NOT NULL)
"""
RECOUNT_THREADS = """
UPDATE spaces SET thread_count = (
    SELECT count(*) FROM threads
    WHERE threads.space_id = spaces.id AND threads.deleted_at IS NULL
      AND threads.hidden_at IS NULL)
WHERE id IN (SELECT space_id FROM threads WHERE hidden_at IS NOT NULL)
"""
LIVE_REPLIES = """SELECT count(*) FROM posts
    WHERE posts.thread_id = threads.id AND posts.is_opening = :no
      AND posts.deleted_at IS NULL AND posts.hidden_at IS NULL"""
# Answers are live replies by anyone but the asker (``IS DISTINCT FROM``, spelt ``IS NOT`` on
# SQLite), as in community.forums.queries.answer_by_others.
RECOUNT_REPLIES = """
UPDATE threads SET
    reply_count = ({live}),
    answer_count = ({live} AND posts.author_id {distinct} threads.author_id)
WHERE id IN (SELECT thread_id FROM posts WHERE hidden_at IS NOT NULL AND is_opening = :no)
"""
WORDS = {
    "thread": """SELECT title, (SELECT body_source FROM posts
                 WHERE posts.thread_id = threads.id AND posts.is_opening = :yes)
                 FROM threads WHERE id = :id""",
    "post": "SELECT NULL, body_source FROM posts WHERE id = :id",
    "idea": "SELECT title, body_source FROM ideas WHERE id = :id",
    "note": "SELECT NULL, text FROM brainstorm_notes WHERE id = :id",
    "user": "SELECT display_name, bio FROM users WHERE id = :id",
}


def backfill(connection) -> None:
    """Held flags, co-design threads hidden with their ideas, live counts and open cases'
    words (tests compare the result with what the application keeps)."""
    yes, no = {"yes": True}, {"no": False}
    for table, kind in HELD_TABLES.items():
        connection.execute(sa.text(MARK_HELD.format(table=table)), {**yes, "kind": kind})
    connection.execute(sa.text(HIDE_CODESIGN_THREADS))
    connection.execute(sa.text(RECOUNT_THREADS))
    distinct = "IS NOT" if connection.dialect.name == "sqlite" else "IS DISTINCT FROM"
    recount = RECOUNT_REPLIES.format(live=LIVE_REPLIES, distinct=distinct)
    connection.execute(sa.text(recount), no)
    cases = sa.table("moderation_cases", sa.column("id"), sa.column("original", sa.JSON))
    open_cases = connection.execute(
        sa.text("SELECT id, target_type, target_id FROM moderation_cases WHERE state = 'open'")
    ).all()
    for case_id, kind, target_id in open_cases:
        if kind not in WORDS:
            continue
        row = connection.execute(sa.text(WORDS[kind]), {**yes, "id": target_id}).first()
        if row is None:
            continue
        title, body = row
        words = {"body": body or ""} if kind in ("post", "note") else {"title": title, "body": body or ""}
        connection.execute(cases.update().where(cases.c.id == case_id).values(original=words))


def upgrade():
    for table in HELD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('held', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', community.database.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_thread_created')
        batch_op.create_index('ix_posts_thread_created', POSTS_INDEX + ['hidden_at'], unique=False)
    backfill(op.get_bind())
    op.execute("ANALYZE posts")


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_thread_created')
        batch_op.create_index('ix_posts_thread_created', POSTS_INDEX, unique=False)
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
        batch_op.drop_column('original')
    for table in reversed(list(HELD_TABLES)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('held')
