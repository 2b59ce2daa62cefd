"""brainstorm clusters, who may group, and dot votes

Revision ID: 5b2e7c41a9d3
Revises: 3d7b3d228e96
Create Date: 2026-11-27 10:31:00.000000

"""
from alembic import op
import sqlalchemy as sa

import community.database


# revision identifiers, used by Alembic.
revision = '5b2e7c41a9d3'
down_revision = '3d7b3d228e96'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('brainstorm_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', community.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['brainstorm_sessions.id'], name=op.f('fk_brainstorm_clusters_session_id_brainstorm_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstorm_clusters'))
    )
    with op.batch_alter_table('brainstorm_clusters', schema=None) as batch_op:
        batch_op.create_index('ix_brainstorm_clusters_session_position', ['session_id', 'position'], unique=False)

    op.create_table('brainstorm_dots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note_id', sa.Integer(), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('created_at', community.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(note_id IS NULL) <> (cluster_id IS NULL)', name=op.f('ck_brainstorm_dots_dot_on_note_or_cluster')),
    sa.ForeignKeyConstraint(['cluster_id'], ['brainstorm_clusters.id'], name=op.f('fk_brainstorm_dots_cluster_id_brainstorm_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['brainstorm_notes.id'], name=op.f('fk_brainstorm_dots_note_id_brainstorm_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['brainstorm_sessions.id'], name=op.f('fk_brainstorm_dots_session_id_brainstorm_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_brainstorm_dots_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brainstorm_dots'))
    )
    with op.batch_alter_table('brainstorm_dots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brainstorm_dots_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brainstorm_dots_note_id'), ['note_id'], unique=False)
        batch_op.create_index('ix_brainstorm_dots_session_user', ['session_id', 'user_id'], unique=False)

    with op.batch_alter_table('brainstorm_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_brainstorm_notes_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_brainstorm_notes_cluster_id_brainstorm_clusters'), 'brainstorm_clusters', ['cluster_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('brainstorm_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('who_may_group', sa.String(length=16), server_default='everyone', nullable=False))


def downgrade():
    with op.batch_alter_table('brainstorm_sessions', schema=None) as batch_op:
        batch_op.drop_column('who_may_group')

    with op.batch_alter_table('brainstorm_notes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_brainstorm_notes_cluster_id_brainstorm_clusters'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_brainstorm_notes_cluster_id'))
        batch_op.drop_column('cluster_id')

    with op.batch_alter_table('brainstorm_dots', schema=None) as batch_op:
        batch_op.drop_index('ix_brainstorm_dots_session_user')
        batch_op.drop_index(batch_op.f('ix_brainstorm_dots_note_id'))
        batch_op.drop_index(batch_op.f('ix_brainstorm_dots_cluster_id'))

    op.drop_table('brainstorm_dots')
    with op.batch_alter_table('brainstorm_clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_brainstorm_clusters_session_position')

    op.drop_table('brainstorm_clusters')
