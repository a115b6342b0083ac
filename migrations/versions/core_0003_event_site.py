"""core: the event site — practical information, logo, accent colour and the FAQ of an edition

``congresses`` gets the venue's accessibility and the travel and parking information in Dutch and English,
the stored name of the edition's logo and its accent colour (``#rrggbb``); ``edition_faqs`` holds the
edition's questions and answers in the organiser's order. Plain ``ADD COLUMN`` (no table copy): every
new column is empty or has a constant default; the downgrade drops them the same way.

Revision ID: core_0003
Revises: programme_0003 (registration_0004 when written; main merged archive_0009 on the same parent meanwhile)
Create Date: 2026-12-06 21:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'core_0003'
down_revision = 'programme_0003'
branch_labels = None
depends_on = None

TEXTS = ('accessibility_nl', 'accessibility_en', 'travel_nl', 'travel_en')


def upgrade():
    for name in TEXTS:
        op.add_column('congresses', sa.Column(name, sa.Text(), nullable=False, server_default=''))
    op.add_column('congresses', sa.Column('logo', sa.String(length=80), nullable=True))
    op.add_column('congresses', sa.Column('accent_colour', sa.String(length=7), nullable=False, server_default=''))
    op.create_table(
        'edition_faqs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('question_nl', sa.String(length=300), nullable=False),
        sa.Column('question_en', sa.String(length=300), nullable=False),
        sa.Column('answer_nl', sa.Text(), nullable=False),
        sa.Column('answer_en', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congresses.id'], name=op.f('fk_edition_faqs_congress_id_congresses'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_faqs')),
    )
    op.create_index(op.f('ix_edition_faqs_congress_id'), 'edition_faqs', ['congress_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_edition_faqs_congress_id'), table_name='edition_faqs')
    op.drop_table('edition_faqs')
    # Plain DROP COLUMN (SQLite 3.35 and later, PostgreSQL): a batch copy of ``congresses`` would break the
    # check-in triggers that name it.
    for name in ('accent_colour', 'logo', *reversed(TEXTS)):
        op.drop_column('congresses', name)
