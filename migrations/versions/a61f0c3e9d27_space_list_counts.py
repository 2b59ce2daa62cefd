"""spaces keep counts of their threads by kind and ideas by status: the lists count from them

A space's thread list counted every entry of ``ix_threads_space_list`` for the space to show
its number of pages, and its idea list every entry of ``ix_ideas_space_shown``; they read
``spaces.question_count`` and ``spaces.discussion_count`` (kept by the forum operations like
``thread_count``, repaired by ``flask forums recount``) and ``space_idea_counts`` (shown ideas
per space and status, kept by the idea operations, repaired by ``flask ideas recount``) now,
plus the hidden threads or ideas the viewer is shown, through ``ix_threads_space_hidden`` and
``ix_ideas_space_hidden`` (partial: hidden rows only). The counts start from the data.
``ix_memberships_space_id`` goes: the unique (space, user) and ``ix_memberships_space_role``
begin with the space.

Revision ID: a61f0c3e9d27
Revises: a6f3c9e1d2b7
Create Date: 2026-12-07 08:40:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a61f0c3e9d27"
down_revision = "a6f3c9e1d2b7"
branch_labels = None
depends_on = None


def initial_counts() -> str:
    """Every space's live questions and discussions, counted from the threads."""

    def live(kind: str) -> str:
        return (
            "(SELECT count(*) FROM threads WHERE threads.space_id = spaces.id"
            f" AND threads.kind = '{kind}' AND threads.deleted_at IS NULL"
            " AND threads.hidden_at IS NULL)"
        )

    return (
        f"UPDATE spaces SET question_count = {live('question')},"
        f" discussion_count = {live('discussion')}"
    )


#: The shown ideas of every space in each status, as ``space_idea_counts`` keeps them.
IDEA_COUNTS = (
    "INSERT INTO space_idea_counts (space_id, status, ideas)"
    " SELECT space_id, status, count(*) FROM ideas WHERE hidden_at IS NULL"
    " GROUP BY space_id, status"
)


def upgrade():
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("question_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("discussion_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(initial_counts())

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_threads_space_hidden",
            ["space_id", "kind", "author_id", "deleted_at", "hidden_at"],
            unique=False,
            sqlite_where=sa.text("hidden_at IS NOT NULL"),
            postgresql_where=sa.text("hidden_at IS NOT NULL"),
        )

    op.create_table(
        "space_idea_counts",
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ideas", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_space_idea_counts_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("space_id", "status", name=op.f("pk_space_idea_counts")),
    )
    op.execute(IDEA_COUNTS)
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ideas_space_hidden",
            ["space_id", "status", "author_id", "hidden_at"],
            unique=False,
            sqlite_where=sa.text("hidden_at IS NOT NULL"),
            postgresql_where=sa.text("hidden_at IS NOT NULL"),
        )

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_space_id")


def downgrade():
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_space_id", ["space_id"], unique=False)

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_space_hidden")
    op.drop_table("space_idea_counts")

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_index("ix_threads_space_hidden")

    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_column("discussion_count")
        batch_op.drop_column("question_count")
