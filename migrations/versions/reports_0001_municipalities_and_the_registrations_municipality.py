"""reports: the list of municipalities (CBS codes) and the municipality a registration names

Revision ID: reports_0001
Revises: archive_0007
Create Date: 2026-12-04 18:40:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'reports_0001'
down_revision = 'archive_0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(code) = 6', name=op.f('ck_municipalities_code_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipalities')),
    sa.UniqueConstraint('code', name=op.f('uq_municipalities_code'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registrations_municipality_id_municipalities'), 'municipalities',
                                    ['municipality_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_municipality_id_municipalities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registrations_municipality_id'))
        batch_op.drop_column('municipality_id')
    op.drop_table('municipalities')
