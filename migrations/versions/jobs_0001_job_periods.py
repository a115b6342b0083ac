"""jobs: job_periods, one row per periodic job and period, so that it runs once whatever the consumers

Revision ID: jobs_0001
Revises: communications_0001
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database

# revision identifiers, used by Alembic.
revision = 'jobs_0001'
down_revision = 'communications_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=200), nullable=False),
        sa.Column('period', sa.String(length=40), nullable=False),
        sa.Column('claimed_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_periods')),
        sa.UniqueConstraint('job', 'period', name=op.f('uq_job_periods_job_period')),
    )
    op.create_index(op.f('ix_job_periods_claimed_at'), 'job_periods', ['claimed_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_job_periods_claimed_at'), table_name='job_periods')
    op.drop_table('job_periods')
