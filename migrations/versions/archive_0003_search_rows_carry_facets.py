"""archive search: on PostgreSQL the full-text rows carry the facet columns

A text search on PostgreSQL reads, for every match, its row of `knowledge_search` (the document,
to rank it). With a copy of the item's facet columns (status, type, year, language, track,
publication date, protective factors, target groups) in that same row, one statement finds the
matches, ranks them, counts the facets and picks the page, without joining the matches to
`knowledge_search_facets` or passing their ids back and forth.

The copy is kept by triggers, like the facet table itself: an index write (insert, or update of
the document) copies the item's facet row; a change of a facet row is copied to the search row.
SQLite (FTS5) is unchanged: nothing to do there.

Revision ID: archive_0003
Revises: mail_0001
Create Date: 2026-11-23 03:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'archive_0003'
down_revision = 'mail_0001'
branch_labels = None
depends_on = None

COLUMNS = ("status", "type", "year", "language", "track_name", "publication_date", "factors", "target_groups")
TYPES = ("VARCHAR(16)", "VARCHAR(16)", "INTEGER", "VARCHAR(8)", "VARCHAR(200)", "DATE", "TEXT", "TEXT")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE knowledge_search " + ", ".join(
        f"ADD COLUMN {name} {kind}" for name, kind in zip(COLUMNS, TYPES, strict=True)))
    # An index write takes the item's facet values (NULL when it has no facet row: never found).
    op.execute(
        "CREATE FUNCTION knowledge_search_copy_facets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" SELECT {', '.join('f.' + c for c in COLUMNS)} INTO {', '.join('NEW.' + c for c in COLUMNS)}"
        " FROM knowledge_search_facets f WHERE f.item_id = NEW.item_id;"
        " RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER knowledge_search_copy_facets BEFORE INSERT OR UPDATE OF document ON knowledge_search "
        "FOR EACH ROW EXECUTE FUNCTION knowledge_search_copy_facets()"
    )
    # A changed facet row is copied to the item's search row (if the item is indexed).
    op.execute(
        "CREATE FUNCTION knowledge_search_facets_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" UPDATE knowledge_search SET {', '.join(f'{c} = NEW.{c}' for c in COLUMNS)}"
        " WHERE item_id = NEW.item_id;"
        " RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER knowledge_search_facets_copy_insert AFTER INSERT ON knowledge_search_facets "
        "FOR EACH ROW EXECUTE FUNCTION knowledge_search_facets_copy()"
    )
    op.execute(
        "CREATE TRIGGER knowledge_search_facets_copy_update AFTER UPDATE ON knowledge_search_facets "
        "FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION knowledge_search_facets_copy()"
    )
    # The rows indexed already.
    op.execute(
        f"UPDATE knowledge_search s SET {', '.join(f'{c} = f.{c}' for c in COLUMNS)} "
        "FROM knowledge_search_facets f WHERE f.item_id = s.item_id"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS knowledge_search_facets_copy_update ON knowledge_search_facets")
    op.execute("DROP TRIGGER IF EXISTS knowledge_search_facets_copy_insert ON knowledge_search_facets")
    op.execute("DROP TRIGGER IF EXISTS knowledge_search_copy_facets ON knowledge_search")
    op.execute("DROP FUNCTION IF EXISTS knowledge_search_facets_copy()")
    op.execute("DROP FUNCTION IF EXISTS knowledge_search_copy_facets()")
    op.execute("ALTER TABLE knowledge_search " + ", ".join(f"DROP COLUMN IF EXISTS {name}" for name in COLUMNS))
