"""programme: speakers' English biography (issue 19, item 1)

People (the programme's speakers) kept one biography, the Dutch one, in ``bio``; they gain an
optional English one, empty until the speaker or an organiser fills it in, shown to English readers
(the Dutch one as fallback). Their photo keeps its column (``photo``, the stored name of the square
re-encoded JPEG, congress/core/photos.py). Downgrading drops the English biographies.

Revision ID: programme_0003
Revises: archive_0009
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'programme_0003'
down_revision = 'archive_0009'
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN, not a batch (a batch copies the table on SQLite).
def upgrade():
    op.add_column('people', sa.Column('bio_en', sa.Text(), server_default='', nullable=False))


def downgrade():
    op.drop_column('people', 'bio_en')
