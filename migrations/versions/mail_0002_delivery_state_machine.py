"""mail: delivery as a state machine (claim time, stable Message-ID, the SMTP server's answer)

A claim is stale only when its claim time is old (it used to be measured from the queue time);
every try of a message sends the same Message-ID; the server's answer is stored with the status.

Revision ID: mail_0002
Revises: archive_0003
Create Date: 2026-12-01 20:15:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database

# revision identifiers, used by Alembic.
revision = 'mail_0002'
down_revision = 'archive_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', congress.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('message_id_header', sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column('smtp_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('smtp_reply', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_mail_outbox_message_id_header'), ['message_id_header'])


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_mail_outbox_message_id_header'), type_='unique')
        batch_op.drop_column('smtp_reply')
        batch_op.drop_column('smtp_code')
        batch_op.drop_column('message_id_header')
        batch_op.drop_column('claimed_at')
