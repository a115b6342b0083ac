"""registration: online participation — online places per edition beside the venue's, the attendance
mode of a registration, stream links on sessions and rooms, and online check-ins

Revision ID: registration_0004
Revises: network_0001
Create Date: 2026-12-04 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'registration_0004'
down_revision = 'network_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_mode', sa.String(length=16), server_default='in_person',
                                      nullable=False))
    with op.batch_alter_table('registration_edition_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_places', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('online_capacity', sa.Integer(), nullable=True))
    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream_url', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream_url', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=16), server_default='in_person', nullable=False))


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('mode')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('stream_url')
    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.drop_column('stream_url')
    with op.batch_alter_table('registration_edition_settings', schema=None) as batch_op:
        batch_op.drop_column('online_capacity')
        batch_op.drop_column('online_places')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('attendance_mode')
