"""evaluations: settings per edition and the answers, stored apart from the registrations

Revision ID: evaluations_0001
Revises: archive_0005
Create Date: 2026-12-03 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'evaluations_0001'
down_revision = 'archive_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_settings',
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('close_days', sa.Integer(), nullable=False),
    sa.CheckConstraint('close_days >= 0 AND close_days <= 365', name=op.f('ck_evaluation_settings_close_days_range')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_evaluation_settings_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('congress_id', name=op.f('pk_evaluation_settings'))
    )
    op.create_table('evaluation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('mark', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_evaluation_responses_congress_id_congresses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], name=op.f('fk_evaluation_responses_session_id_programme_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_responses')),
    sa.UniqueConstraint('mark', name=op.f('uq_evaluation_responses_mark'))
    )
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_responses_congress_id'), ['congress_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_responses_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_responses_session_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_responses_congress_id'))
    op.drop_table('evaluation_responses')
    op.drop_table('evaluation_settings')
