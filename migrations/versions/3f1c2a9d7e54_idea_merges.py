"""idea merges: votes moved by a merge, and the other idea on merge timeline steps

Revision ID: 3f1c2a9d7e54
Revises: 8d67c6b076fb
Create Date: 2026-11-27 09:40:12.118024

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9d7e54'
down_revision = '8d67c6b076fb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('related_idea_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_idea_status_changes_related_idea_id_ideas'), 'ideas', ['related_idea_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_idea_votes_merged_from_id'), ['merged_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_idea_votes_merged_from_id_ideas'), 'ideas', ['merged_from_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_idea_votes_merged_from_id_ideas'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_idea_votes_merged_from_id'))
        batch_op.drop_column('merged_from_id')

    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_idea_status_changes_related_idea_id_ideas'), type_='foreignkey')
        batch_op.drop_column('related_idea_id')
