"""programme, archive: English title and abstract of sessions, English title and summary of knowledge items

Editions and tracks were bilingual already (``title_nl``/``title_en``, ``name_nl``/``name_en``). Sessions
and knowledge items keep their ``title`` and ``abstract`` / ``summary`` columns as the Dutch text (every
existing value stays the Dutch one, nothing is moved) and gain optional English ones, empty until an
editor fills them in (issue 18, item 8). Downgrading drops the English texts.

Revision ID: programme_0002
Revises: checkin_0003
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'programme_0002'
down_revision = 'checkin_0003'
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN on both databases, not a batch: on SQLite a batch copies the table, which
# would drop the search triggers on knowledge_items (archive_0002, archive_0006). SQLite adds a NOT NULL
# column with a default in place, and drops one that no index or trigger names (3.35+).
COLUMNS = (
    ('programme_sessions', 'title_en', sa.String(length=250)),
    ('programme_sessions', 'abstract_en', sa.Text()),
    ('knowledge_items', 'title_en', sa.String(length=300)),
    ('knowledge_items', 'summary_en', sa.Text()),
)


def upgrade():
    for table, name, type_ in COLUMNS:
        op.add_column(table, sa.Column(name, type_, server_default='', nullable=False))


def downgrade():
    for table, name, _type in reversed(COLUMNS):
        op.drop_column(table, name)
