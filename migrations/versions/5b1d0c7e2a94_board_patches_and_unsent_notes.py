"""Board patches and unsent notes

``brainstorm_patches``: the latest committed changes of each board, as they were sent, so a
client that missed some catches up with them instead of the full state.
``brainstorm_participants.unsent``: the participant's composer holds a note not yet sent.

Revision ID: 5b1d0c7e2a94
Revises: b7e2c4f1a9d3
Create Date: 2026-12-07 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1d0c7e2a94'
down_revision = 'b7e2c4f1a9d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "brainstorm_patches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["brainstorm_sessions.id"],
            name=op.f("fk_brainstorm_patches_session_id_brainstorm_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brainstorm_patches")),
        sa.UniqueConstraint(
            "session_id", "revision", name=op.f("uq_brainstorm_patches_session_id")
        ),
    )
    with op.batch_alter_table("brainstorm_participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unsent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("brainstorm_participants", schema=None) as batch_op:
        batch_op.drop_column("unsent")
    op.drop_table("brainstorm_patches")
