"""invitations: lists, invitees and the messages sent to them

Revision ID: invitations_0001
Revises: evaluations_0001
Create Date: 2026-12-03 11:35:00.000000

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'invitations_0001'
down_revision = 'evaluations_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('reserved_places', sa.Integer(), nullable=False),
    sa.Column('reserved_until', sa.Date(), nullable=True),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('reserved_places >= 0', name=op.f('ck_invitation_lists_reserved_not_negative')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_invitation_lists_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_lists')),
    sa.UniqueConstraint('congress_id', 'name', name=op.f('uq_invitation_lists_congress_id_name'))
    )
    with op.batch_alter_table('invitation_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_lists_congress_id'), ['congress_id'], unique=False)

    op.create_table('invitation_invitees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('link_nonce', sa.String(length=64), nullable=False),
    sa.Column('link_secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invited_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('invited', 'registered', 'declined')", name=op.f('ck_invitation_invitees_status_known')),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_invitation_invitees_congress_id_congresses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['invitation_lists.id'], name=op.f('fk_invitation_invitees_list_id_invitation_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_invitees')),
    sa.UniqueConstraint('link_secret_hash', name=op.f('uq_invitation_invitees_link_secret_hash')),
    sa.UniqueConstraint('list_id', 'email_key', name=op.f('uq_invitation_invitees_list_id_email_key'))
    )
    with op.batch_alter_table('invitation_invitees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_invitees_congress_id'), ['congress_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_invitees_email_key'), ['email_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_invitees_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_invitees_status'), ['status'], unique=False)

    op.create_table('invitation_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('send_key', sa.String(length=64), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('skipped', sa.Boolean(), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitee_id'], ['invitation_invitees.id'], name=op.f('fk_invitation_messages_invitee_id_invitation_invitees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['mail_outbox.id'], name=op.f('fk_invitation_messages_outbox_message_id_mail_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_messages')),
    sa.UniqueConstraint('invitee_id', 'kind', 'send_key', name=op.f('uq_invitation_messages_invitee_id_kind_send_key'))
    )


def downgrade():
    op.drop_table('invitation_messages')
    with op.batch_alter_table('invitation_invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_invitees_status'))
        batch_op.drop_index(batch_op.f('ix_invitation_invitees_list_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_invitees_email_key'))
        batch_op.drop_index(batch_op.f('ix_invitation_invitees_congress_id'))
    op.drop_table('invitation_invitees')
    with op.batch_alter_table('invitation_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_lists_congress_id'))
    op.drop_table('invitation_lists')
