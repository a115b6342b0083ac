"""archive: recordings of a session's item (an uploaded MP4/WebM or a link to the organisation's
video platform) with WebVTT captions per language

Nothing existing changes: recordings are new rows, unpublished until an editor publishes them with
every speaker's consent (cfp_0002).

Revision ID: archive_0009
Revises: registration_0004
Create Date: 2026-12-06 21:10:00

"""
from alembic import op
import sqlalchemy as sa

import congress.database


revision = 'archive_0009'
down_revision = 'registration_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), server_default='', nullable=False),
    sa.Column('title_en', sa.String(length=200), server_default='', nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=200), server_default='', nullable=False),
    sa.Column('content_type', sa.String(length=40), server_default='', nullable=False),
    sa.Column('size', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('url', sa.String(length=500), server_default='', nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('published_at', congress.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('added_by', sa.String(length=254), server_default='', nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('file', 'url')", name=op.f('ck_knowledge_recordings_source_known')),
    sa.CheckConstraint("(source = 'file' AND sha256 IS NOT NULL) OR (source = 'url' AND url <> '')",
                       name=op.f('ck_knowledge_recordings_source_complete')),
    sa.ForeignKeyConstraint(['item_id'], ['knowledge_items.id'], name=op.f('fk_knowledge_recordings_item_id_knowledge_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_recordings'))
    )
    op.create_index(op.f('ix_knowledge_recordings_item_id'), 'knowledge_recordings', ['item_id'], unique=False)
    op.create_table('knowledge_recording_captions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('cue_count', sa.Integer(), nullable=False),
    sa.Column('created_at', congress.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('nl', 'en')", name=op.f('ck_knowledge_recording_captions_language_known')),
    sa.ForeignKeyConstraint(['recording_id'], ['knowledge_recordings.id'], name=op.f('fk_knowledge_recording_captions_recording_id_knowledge_recordings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_recording_captions')),
    sa.UniqueConstraint('recording_id', 'language', name=op.f('uq_knowledge_recording_captions_recording_id_language'))
    )
    op.create_index(op.f('ix_knowledge_recording_captions_recording_id'), 'knowledge_recording_captions',
                    ['recording_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_knowledge_recording_captions_recording_id'), table_name='knowledge_recording_captions')
    op.drop_table('knowledge_recording_captions')
    op.drop_index(op.f('ix_knowledge_recordings_item_id'), table_name='knowledge_recordings')
    op.drop_table('knowledge_recordings')
