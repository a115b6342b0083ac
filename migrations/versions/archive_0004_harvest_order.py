"""archive: indexes for OAI-PMH harvesters: (updated_at, id, status) to page by the last change, and the relations by related_id

Revision ID: archive_0004
Revises: communications_0001
Create Date: 2026-12-02 18:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'archive_0004'
down_revision = 'accounts_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_knowledge_items_harvest', 'knowledge_items', ['updated_at', 'id', 'status'], unique=False)
    op.create_index('ix_knowledge_relations_related_id', 'knowledge_relations', ['related_id'], unique=False)


def downgrade():
    op.drop_index('ix_knowledge_relations_related_id', table_name='knowledge_relations')
    op.drop_index('ix_knowledge_items_harvest', table_name='knowledge_items')
