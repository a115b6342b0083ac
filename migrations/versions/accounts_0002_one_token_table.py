"""accounts: one token table (password reset and invitation links, API tokens)

account_tokens (single-use e-mail links) and api_tokens (bearer tokens) become one table, tokens,
with a kind: password_reset, invitation, verification (a speaker's e-mail address) or api. The rows
are copied with their hashes unchanged, so every link and API token already issued keeps working;
API tokens keep their ids (the CLI, the token screen and the audit log name them by id). The old
tables are dropped.

Revision ID: accounts_0002
Revises: checkin_0002
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'accounts_0002'
down_revision = 'checkin_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('scope', sa.String(length=32), nullable=True),
    sa.Column('prefix', sa.String(length=12), nullable=True),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tokens_token_hash'))
    )
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_user_id'), ['user_id'], unique=False)

    # API tokens first, with their ids; the e-mail links after them get new ids (nobody sees those).
    op.execute(
        "INSERT INTO tokens (id, kind, token_hash, name, scope, prefix, created_at, last_used_at, revoked_at) "
        "SELECT id, 'api', token_hash, name, scope, prefix, created_at, last_used_at, revoked_at FROM api_tokens"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('tokens', 'id'), COALESCE((SELECT MAX(id) FROM tokens), 0) + 1, false)")
    op.execute(
        "INSERT INTO tokens (kind, token_hash, user_id, created_at, expires_at, used_at) "
        "SELECT CASE purpose WHEN 'reset' THEN 'password_reset' WHEN 'invite' THEN 'invitation' "
        "WHEN 'verify' THEN 'verification' ELSE purpose END, "
        "token_hash, user_id, created_at, expires_at, used_at FROM account_tokens ORDER BY id"
    )

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
    op.drop_table('account_tokens')
    op.drop_table('api_tokens')


def downgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    op.execute(
        "INSERT INTO api_tokens (id, name, scope, token_hash, prefix, created_at, last_used_at, revoked_at) "
        "SELECT id, COALESCE(name, ''), COALESCE(scope, 'read'), token_hash, COALESCE(prefix, ''), created_at, "
        "last_used_at, revoked_at FROM tokens WHERE kind = 'api'"
    )
    op.execute(
        "INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at, used_at) "
        "SELECT user_id, CASE kind WHEN 'password_reset' THEN 'reset' WHEN 'invitation' THEN 'invite' ELSE 'verify' END, "
        "token_hash, created_at, expires_at, used_at FROM tokens "
        "WHERE kind IN ('password_reset', 'invitation', 'verification') AND user_id IS NOT NULL "
        "AND expires_at IS NOT NULL ORDER BY id"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('api_tokens', 'id'), COALESCE((SELECT MAX(id) FROM api_tokens), 0) + 1, false)")

    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_user_id'))
    op.drop_table('tokens')
