"""brainstorm boards: what undoing a recent change needs

Revision ID: a7e3b9d51c28
Revises: c4d1e8a2f6b7
Create Date: 2026-12-07 02:40:00.000000

"""

from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = "a7e3b9d51c28"
down_revision = "c4d1e8a2f6b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "brainstorm_undos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", community.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["brainstorm_sessions.id"],
            name=op.f("fk_brainstorm_undos_session_id_brainstorm_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_brainstorm_undos_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["brainstorm_notes.id"],
            name=op.f("fk_brainstorm_undos_note_id_brainstorm_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["brainstorm_clusters.id"],
            name=op.f("fk_brainstorm_undos_cluster_id_brainstorm_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brainstorm_undos")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("brainstorm_undos", schema=None) as batch_op:
        batch_op.create_index(
            "ix_brainstorm_undos_session_kind", ["session_id", "kind"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_brainstorm_undos_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_brainstorm_undos_note_id"), ["note_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_brainstorm_undos_cluster_id"), ["cluster_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("brainstorm_undos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brainstorm_undos_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_brainstorm_undos_note_id"))
        batch_op.drop_index(batch_op.f("ix_brainstorm_undos_user_id"))
        batch_op.drop_index("ix_brainstorm_undos_session_kind")
    op.drop_table("brainstorm_undos")
