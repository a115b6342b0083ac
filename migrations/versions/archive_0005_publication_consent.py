"""archive and cfp: the rights of uploaded material — consent to publish and the licence, per file

Revision ID: archive_0005
Revises: communications_0002
Create Date: 2026-12-03 11:45:00

Files already in the archive keep being published (editors uploaded or took them up); slides already
uploaded in the call for proposals carry no consent: they are taken up for the editors only until the
speaker gives it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'archive_0005'
down_revision = 'communications_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('knowledge_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_consent', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('licence', sa.String(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('cfp_slides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('licence', sa.String(length=64), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('cfp_slides', schema=None) as batch_op:
        batch_op.drop_column('licence')
        batch_op.drop_column('publication_consent')
    with op.batch_alter_table('knowledge_files', schema=None) as batch_op:
        batch_op.drop_column('licence')
        batch_op.drop_column('publication_consent')
