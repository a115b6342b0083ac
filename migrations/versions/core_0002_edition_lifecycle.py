"""core: the edition lifecycle — status ``closed``, times of day and a contact address

``congresses.status`` may now be ``closed`` (draft → published → closed → archived); the edition gets
its start and end times of day (``starts_at_time``, ``ends_at_time``, in its timezone; empty: the day's
start and end) and the organisers' contact address (``contact_email``). The downgrade turns closed
editions back into published ones (the old schema has no ``closed``) and drops the new columns.

Revision ID: core_0002
Revises: questions_0001
Create Date: 2026-12-02 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'core_0002'
down_revision = 'questions_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('congresses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends_at_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.drop_constraint(op.f('ck_congresses_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'published', 'closed', 'archived')")
    with op.batch_alter_table('congresses', schema=None) as batch_op:
        batch_op.alter_column('contact_email', server_default=None)


def downgrade():
    op.execute("UPDATE congresses SET status = 'published' WHERE status = 'closed'")
    with op.batch_alter_table('congresses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_congresses_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'published', 'archived')")
        batch_op.drop_column('contact_email')
        batch_op.drop_column('ends_at_time')
        batch_op.drop_column('starts_at_time')
