"""mail: messages composed by the worker

Revision ID: mail_0001
Revises: archive_0002
Create Date: 2026-11-23 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'mail_0001'
down_revision = 'archive_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compose_later', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('compose_later')
