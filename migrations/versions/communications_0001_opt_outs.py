"""communications: addresses that opted out of mailings, invitations and reminders

Revision ID: communications_0001
Revises: mail_0003
Create Date: 2026-12-02 08:20:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database

# revision identifiers, used by Alembic.
revision = 'communications_0001'
down_revision = 'mail_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'communication_opt_outs',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('email', name=op.f('pk_communication_opt_outs')),
    )


def downgrade():
    op.drop_table('communication_opt_outs')
