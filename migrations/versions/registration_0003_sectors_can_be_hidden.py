"""forms: a sector that registrations use can be hidden (no longer offered) instead of deleted

Revision ID: registration_0003
Revises: registration_0002
Create Date: 2026-12-02 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'registration_0003'
down_revision = 'registration_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration_sectors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('registration_sectors', schema=None) as batch_op:
        batch_op.drop_column('hidden')
