"""cfp: the speakers' consent to record their session and publish the recording, per speaker and proposal

Revision ID: cfp_0002
Revises: accounts_0007
Create Date: 2026-12-04 22:00:00

Nobody has consented yet: recordings of sessions that came through the call for proposals leave the
public archive, OAI-PMH (as deleted records), DCAT and the sitemap until every speaker of the
session consents on their speaker page. Those recordings count as changed now, so that a harvester's
next incremental harvest hears they are withheld (a deleted record).
"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'cfp_0002'
down_revision = 'accounts_0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cfp_proposal_speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('recording_consent_at', congress.database.UTCDateTime(timezone=True), nullable=True))
    items = sa.table('knowledge_items', sa.column('type', sa.String), sa.column('session_id', sa.Integer),
                     sa.column('updated_at', congress.database.UTCDateTime(timezone=True)))
    proposals = sa.table('cfp_proposals', sa.column('session_id', sa.Integer))
    op.execute(items.update()
               .where(items.c.type == 'opname',
                      items.c.session_id.in_(sa.select(proposals.c.session_id)
                                             .where(proposals.c.session_id.is_not(None))))
               .values(updated_at=congress.database.utcnow()))


def downgrade():
    with op.batch_alter_table('cfp_proposal_speakers', schema=None) as batch_op:
        batch_op.drop_column('recording_consent_at')
        batch_op.drop_column('recording_consent')
