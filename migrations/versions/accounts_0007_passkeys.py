"""accounts: passkeys (WebAuthn credentials) as a second factor

``passkeys`` holds each account's WebAuthn credentials: the credential id (unique), the COSE public key,
the signature counter, the owner's name for it, when it was added and last used (issue 15). Their
challenges are rows of the one token table (kind ``webauthn``): no schema change there.

Revision ID: accounts_0007
Revises: reports_0001
Create Date: 2026-12-04 18:50:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'accounts_0007'
down_revision = 'reports_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'passkeys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('credential_id', sa.String(length=1400), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('transports', sa.String(length=200), nullable=False),
        sa.Column('aaguid', sa.String(length=36), nullable=False),
        sa.Column('backed_up', sa.Boolean(), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', congress.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_passkeys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkeys')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkeys_credential_id')),
    )
    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkeys_user_id'), ['user_id'], unique=False)


def downgrade():
    # The challenges of passkey ceremonies mean nothing without the table.
    op.execute("DELETE FROM tokens WHERE kind = 'webauthn'")
    with op.batch_alter_table('passkeys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkeys_user_id'))
    op.drop_table('passkeys')
