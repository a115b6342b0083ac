"""accounts: roles per edition

``role_grants`` gets ``congress_id`` (the edition a grant holds for; empty = every edition, which is
what every existing grant keeps meaning, and what admins always hold). A track manager's grant for a
track gets that track's edition. The unique constraint now includes the edition.

Revision ID: accounts_0003
Revises: core_0002
Create Date: 2026-12-02 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'accounts_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('congress_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_grants_congress_id'), ['congress_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_grants_congress_id_congresses'), 'congresses',
                                    ['congress_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint('uq_role_grants_user_id_role_track_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_role_grants_user_id_role_congress_id_track_id'),
                                          ['user_id', 'role', 'congress_id', 'track_id'])
    # A track manager's grant holds in the edition of its track.
    op.execute(
        "UPDATE role_grants SET congress_id = (SELECT tracks.congress_id FROM tracks"
        " WHERE tracks.id = role_grants.track_id) WHERE track_id IS NOT NULL"
    )


def downgrade():
    # The old schema cannot say "only in this edition": such grants are dropped rather than widened
    # to every edition (a track manager's grant keeps its track, which says as much).
    op.execute("DELETE FROM role_grants WHERE congress_id IS NOT NULL AND track_id IS NULL")
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint('uq_role_grants_user_id_role_congress_id_track_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_role_grants_user_id_role_track_id'),
                                          ['user_id', 'role', 'track_id'])
        batch_op.drop_constraint('fk_role_grants_congress_id_congresses', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_grants_congress_id'))
        batch_op.drop_column('congress_id')
