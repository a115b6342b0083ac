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


# Plain ADD/DROP COLUMN, not batch operations: on SQLite a batch copies the table, which drops the
# triggers other migrations put on it (checkin_0003's bundle versions on registrations).
COLUMNS = [
    ('registrations', sa.Column('attendance_mode', sa.String(length=16), server_default='in_person', nullable=False)),
    ('registration_edition_settings', sa.Column('online_places', sa.Boolean(), server_default=sa.false(),
                                                nullable=False)),
    ('registration_edition_settings', sa.Column('online_capacity', sa.Integer(), nullable=True)),
    ('programme_sessions', sa.Column('stream_url', sa.String(length=500), server_default='', nullable=False)),
    ('rooms', sa.Column('stream_url', sa.String(length=500), server_default='', nullable=False)),
    ('checkins', sa.Column('mode', sa.String(length=16), server_default='in_person', nullable=False)),
]


def upgrade():
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade():
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
