"""check-in: a scan nonce is unique per code, not globally

Stations make their nonces themselves, so the same nonce can come with another badge. Keyed on the
nonce alone, scanning badge B with badge A's nonce answered A's earlier result (A's name,
organisation and notes) and left B unchecked. Scan events now keep the SHA-256 of the code they
scanned and a retried upload is recognised by (nonce, code).

Existing scan events get an empty digest: they stay in the log, and an old upload retried after the
upgrade is treated as a new scan of the same badge (which answers "already checked in").

Revision ID: checkin_0002
Revises: archive_0003
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'checkin_0002'
down_revision = 'mail_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_digest', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_checkin_scans_nonce'), type_='unique')
        batch_op.create_index('uq_checkin_scans_nonce_code', ['nonce', 'code_digest'], unique=True)


def downgrade():
    # Several events may share a nonce now (other codes): keep the first of each before the old
    # constraint comes back.
    op.execute(
        "DELETE FROM checkin_scans WHERE nonce IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM checkin_scans WHERE nonce IS NOT NULL GROUP BY nonce)"
    )
    with op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.drop_index('uq_checkin_scans_nonce_code')
        batch_op.create_unique_constraint(batch_op.f('uq_checkin_scans_nonce'), ['nonce'])
        batch_op.drop_column('code_digest')
