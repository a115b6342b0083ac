"""archive: an index on (updated_at, id, status) for OAI-PMH harvesters paging by the last change

Revision ID: archive_0004
Revises: communications_0001
Create Date: 2026-12-02 18:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'archive_0004'
down_revision = 'communications_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_knowledge_items_harvest', 'knowledge_items', ['updated_at', 'id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_knowledge_items_harvest', table_name='knowledge_items')
