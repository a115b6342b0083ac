"""legal: privacy statements and retention periods per edition

Revision ID: legal_0001
Revises: accounts_0003
Create Date: 2026-12-02 03:30:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database




# revision identifiers, used by Alembic.
revision = 'legal_0001'
down_revision = 'accounts_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legal_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('privacy_nl', sa.Text(), nullable=False),
        sa.Column('privacy_en', sa.Text(), nullable=False),
        sa.Column('retention_months', sa.Integer(), nullable=False),
        sa.Column('updated_at', congress.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('anonymised_at', congress.database.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('retention_months >= 1 AND retention_months <= 120',
                           name=op.f('ck_legal_settings_retention_months_in_range')),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_legal_settings_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_settings')),
        sa.UniqueConstraint('congress_id', name=op.f('uq_legal_settings_congress_id')),
    )


def downgrade():
    op.drop_table('legal_settings')
