"""archive: the search's synonym list (kept by editors) and its vocabulary (for "did you mean")

Also the index is written from the application's own stems on PostgreSQL too (a tsvector built in
Python, as the FTS5 rows on SQLite), so both databases find the same items; and the stems now join
-atie and -eren derivations. Rebuild the index after upgrading: ``flask archive reindex`` (it also
fills the vocabulary).

Revision ID: archive_0008
Revises: cfp_0002
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


revision = 'archive_0008'
down_revision = 'cfp_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_search_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('words', sa.String(length=500), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', congress.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_search_synonyms'))
    )
    op.create_table('knowledge_search_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_knowledge_search_words'))
    )


def downgrade():
    op.drop_table('knowledge_search_words')
    op.drop_table('knowledge_search_synonyms')
