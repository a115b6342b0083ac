"""registration: the edition-wide waiting list

A registration setting per edition (``registration_edition_settings.waiting_list``, off when no row
exists, so existing editions keep refusing when full) and a ticket number on the edition's waiting
list (``registrations.waitlist_position``, unique per edition). The status ``waitlisted`` was allowed
by the status check already.

Revision ID: registration_0002
Revises: legal_0001
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'registration_0002'
down_revision = 'legal_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_edition_settings',
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('waiting_list', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'],
                                name=op.f('fk_registration_edition_settings_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('congress_id', name=op.f('pk_registration_edition_settings')),
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_position', sa.Integer(), nullable=True))
        batch_op.create_index('uq_registrations_waitlist_position', ['congress_id', 'waitlist_position'],
                              unique=True)


def downgrade():
    # Nobody waits without the list: those waiting are cancelled (their address is free again).
    op.execute("UPDATE registrations SET status = 'cancelled', email_key = NULL WHERE status = 'waitlisted'")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_waitlist_position')
        batch_op.drop_column('waitlist_position')
    op.drop_table('registration_edition_settings')
