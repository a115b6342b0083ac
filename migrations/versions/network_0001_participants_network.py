"""network: the participants' network (issue 19, item 2)

``registrations.consent_network``: the network's own consent ("appear in the participants' network and
be contactable"), false for everyone already registered (nobody appears without having chosen to).
``network_messages`` (relayed messages), ``network_shares`` (who agreed to show their address to whom;
shown when both rows exist), ``network_reports`` (one per message) and ``network_blocks`` (the
organiser's block, one per registration).

Revision ID: network_0001
Revises: programme_0002
Create Date: 2026-12-04 22:05:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'network_0001'
down_revision = 'programme_0002'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD/DROP COLUMN on registrations: a batch would copy the table on SQLite and drop the
    # triggers checkin_0003 puts on it.
    op.add_column('registrations', sa.Column('consent_network', sa.Boolean(), server_default=sa.false(),
                                             nullable=False))
    op.create_table(
        'network_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('read_at', congress.database.UTCDateTime(), nullable=True),
        sa.CheckConstraint('sender_id <> recipient_id', name=op.f('ck_network_messages_not_to_oneself')),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_network_messages_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recipient_id'], ['registrations.id'],
                                name=op.f('fk_network_messages_recipient_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_id'], ['registrations.id'],
                                name=op.f('fk_network_messages_sender_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_messages')),
    )
    with op.batch_alter_table('network_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_messages_congress_id'), ['congress_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_messages_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index('ix_network_messages_sender_created', ['sender_id', 'created_at'], unique=False)
    op.create_table(
        'network_shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('other_id', sa.Integer(), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['other_id'], ['registrations.id'], name=op.f('fk_network_shares_other_id_registrations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['registrations.id'], name=op.f('fk_network_shares_owner_id_registrations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_shares')),
        sa.UniqueConstraint('owner_id', 'other_id', name=op.f('uq_network_shares_owner_id_other_id')),
    )
    with op.batch_alter_table('network_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_shares_other_id'), ['other_id'], unique=False)
    op.create_table(
        'network_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('handled_at', congress.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_network_reports_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['network_messages.id'],
                                name=op.f('fk_network_reports_message_id_network_messages'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_reports')),
        sa.UniqueConstraint('message_id', name=op.f('uq_network_reports_message_id')),
    )
    with op.batch_alter_table('network_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_reports_congress_id'), ['congress_id'], unique=False)
    op.create_table(
        'network_blocks',
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('blocked_by', sa.Integer(), nullable=True),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['blocked_by'], ['users.id'], name=op.f('fk_network_blocks_blocked_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_network_blocks_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_network_blocks_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_network_blocks')),
    )
    with op.batch_alter_table('network_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_blocks_congress_id'), ['congress_id'], unique=False)


def downgrade():
    op.drop_table('network_blocks')
    op.drop_table('network_reports')
    op.drop_table('network_shares')
    op.drop_table('network_messages')
    op.drop_column('registrations', 'consent_network')
