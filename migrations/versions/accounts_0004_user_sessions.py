"""accounts: server-side sessions

``user_sessions``: one row per signed-in browser (its id the SHA-256 of the secret in the browser's
cookie), so that a session can be listed and ended from elsewhere and ends after an idle time and an
absolute lifetime (issue 15).

Revision ID: accounts_0004
Revises: communications_0001
Create Date: 2026-12-02 18:30:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


# revision identifiers, used by Alembic.
revision = 'accounts_0004'
down_revision = 'jobs_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('expires_at', congress.database.UTCDateTime(), nullable=False),
        sa.Column('ended_at', congress.database.UTCDateTime(), nullable=True),
        sa.Column('ended_reason', sa.String(length=32), nullable=True),
        sa.Column('browser', sa.String(length=40), nullable=False),
        sa.Column('platform', sa.String(length=40), nullable=False),
        sa.Column('ip_address', sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
