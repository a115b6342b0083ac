"""communications: mail texts organisers edit

Revision ID: communications_0003
Revises: accounts_0005
Create Date: 2026-12-03 12:10:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'communications_0003'
down_revision = 'accounts_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('communication_mail_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_communication_mail_texts_congress_id_congresses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communication_mail_texts')),
    sa.UniqueConstraint('congress_id', 'kind', 'locale', name=op.f('uq_communication_mail_texts_congress_id_kind_locale'))
    )
    with op.batch_alter_table('communication_mail_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communication_mail_texts_congress_id'), ['congress_id'], unique=False)


def downgrade():
    with op.batch_alter_table('communication_mail_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communication_mail_texts_congress_id'))
    op.drop_table('communication_mail_texts')
