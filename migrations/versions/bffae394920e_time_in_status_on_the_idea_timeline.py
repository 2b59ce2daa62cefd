"""Time in status on the idea timeline

``idea_status_changes.seconds_in_status``: on each status step, the seconds from entering
``from_status`` (the idea's previous status step, or its proposal) to the step, which the
funnel's medians read in the order of a new index; ``proposed_at``: the idea's
``created_at``, so that the funnel's date range is checked in that index. Filled here from
the timeline; the application keeps them (``community.ideas.time_in_status``).

Revision ID: bffae394920e
Revises: 3d8e51c0a7b2
Create Date: 2026-11-27 21:40:00

"""
from alembic import op
import sqlalchemy as sa

import community.database


# Frozen copy of ``community.ideas.time_in_status.recount``: a step entered its ``from_status``
# at the idea's previous status step (ordered by created_at, then id), else at the proposal.
# Only the difference of two timestamps in seconds is spelt per database.
ENTERED = """COALESCE(
    (SELECT earlier.created_at FROM idea_status_changes AS earlier
     WHERE earlier.idea_id = idea_status_changes.idea_id AND earlier.kind = 'status'
       AND (earlier.created_at < idea_status_changes.created_at
            OR (earlier.created_at = idea_status_changes.created_at
                AND earlier.id < idea_status_changes.id))
     ORDER BY earlier.created_at DESC, earlier.id DESC LIMIT 1),
    (SELECT ideas.created_at FROM ideas WHERE ideas.id = idea_status_changes.idea_id))
"""

PROPOSED = "(SELECT ideas.created_at FROM ideas WHERE ideas.id = idea_status_changes.idea_id)"

BACKFILL = """
UPDATE idea_status_changes SET seconds_in_status = {seconds}, proposed_at = {proposed}
WHERE kind = 'status'
"""


def backfill_statement(dialect: str) -> str:
    """The SQL filling the columns from the timeline (tests compare it with the application's)."""
    if dialect == "sqlite":
        seconds = f"(julianday(idea_status_changes.created_at) - julianday({ENTERED})) * 86400.0"
    else:
        seconds = f"EXTRACT(EPOCH FROM idea_status_changes.created_at - {ENTERED})"
    return BACKFILL.format(seconds=seconds, proposed=PROPOSED)


# revision identifiers, used by Alembic.
revision = 'bffae394920e'
down_revision = '3d8e51c0a7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seconds_in_status', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('proposed_at', community.database.UTCDateTime(timezone=True), nullable=True))
    op.execute(sa.text(backfill_statement(op.get_bind().dialect.name)))
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_changes_time_in_status', ['kind', 'from_status', 'seconds_in_status', 'proposed_at', 'idea_id'], unique=False)

    # Statistics for the planner about the new indexes: SQLite keeps none until asked, and
    # without them it may prefer a new index where an older one with statistics is better.
    op.execute("ANALYZE idea_status_changes")


def downgrade():
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_status_changes_time_in_status')
        batch_op.drop_column('proposed_at')
        batch_op.drop_column('seconds_in_status')
