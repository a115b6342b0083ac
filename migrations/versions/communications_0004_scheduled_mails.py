"""communications: scheduled mails (rules per edition, before the start and after the end)

Revision ID: communications_0004
Revises: communications_0003
Create Date: 2026-12-03 14:20:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'communications_0004'
down_revision = 'communications_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('communication_scheduled_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('moment', sa.String(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('subject_nl', sa.String(length=300), nullable=False),
    sa.Column('text_nl', sa.Text(), nullable=False),
    sa.Column('subject_en', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fired_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mailing_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("moment IN ('before_start', 'after_end')", name=op.f('ck_communication_scheduled_mails_moment_known')),
    sa.CheckConstraint('days >= 0 AND days <= 90', name=op.f('ck_communication_scheduled_mails_days_in_range')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_communication_scheduled_mails_congress_id_congresses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mailing_id'], ['communication_mailings.id'], name=op.f('fk_communication_scheduled_mails_mailing_id_communication_mailings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communication_scheduled_mails'))
    )
    with op.batch_alter_table('communication_scheduled_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communication_scheduled_mails_congress_id'), ['congress_id'], unique=False)


def downgrade():
    with op.batch_alter_table('communication_scheduled_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communication_scheduled_mails_congress_id'))
    op.drop_table('communication_scheduled_mails')
