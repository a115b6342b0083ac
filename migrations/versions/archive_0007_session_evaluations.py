"""archive: one evaluation item per session, with its key figures

A session's item names the intervention it presents through knowledge_relations (kind "presents"),
which needs no schema change.

Revision ID: archive_0007
Revises: certificates_0001
Create Date: 2026-12-04 18:50:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


revision = 'archive_0007'
down_revision = 'certificates_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_session_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('congress_id', sa.Integer(), nullable=True),
    sa.Column('session_title', sa.String(length=300), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('checked_in', sa.Integer(), nullable=True),
    sa.Column('mean', sa.Float(), nullable=True),
    sa.Column('scale_high', sa.Integer(), nullable=True),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('responses >= 0', name=op.f('ck_knowledge_session_evaluations_responses_positive')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_knowledge_session_evaluations_congress_id_congresses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_items.id'], name=op.f('fk_knowledge_session_evaluations_item_id_knowledge_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], name=op.f('fk_knowledge_session_evaluations_session_id_programme_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_session_evaluations')),
    sa.UniqueConstraint('item_id', name=op.f('uq_knowledge_session_evaluations_item_id')),
    sa.UniqueConstraint('session_id', name=op.f('uq_knowledge_session_evaluations_session_id'))
    )
    with op.batch_alter_table('knowledge_session_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_session_evaluations_congress_id'), ['congress_id'], unique=False)


def downgrade():
    with op.batch_alter_table('knowledge_session_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_session_evaluations_congress_id'))
    op.drop_table('knowledge_session_evaluations')
