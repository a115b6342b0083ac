"""archive search: a narrow facet table kept by triggers

One row per knowledge item with just what the search filters, counts and sorts on (status, type,
year, language, track, publication date, and the item's protective factors and target groups as
sorted, separated strings). Facet counts over thousands of matches then read this small table
instead of the wide item rows and a join to the terms. Database triggers keep it equal to the items
and terms whatever writes them (services, bulk loads, raw SQL), so it never needs invalidating.

Revision ID: archive_0002
Revises: checkin_0001
Create Date: 2026-11-23 02:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'archive_0002'
down_revision = 'checkin_0001'
branch_labels = None
depends_on = None

COLUMNS = "status, type, year, language, track_name, publication_date"
# U+001F (unit separator) between the values of a multi-valued facet; chr(31) / char(31) in SQL.
TERMS_SQLITE = (
    "(SELECT coalesce(group_concat(value, char(31)), '') FROM (SELECT value FROM knowledge_terms "
    "WHERE item_id = {item} AND kind = '{kind}' ORDER BY value))"
)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "CREATE TABLE knowledge_search_facets ("
        " item_id INTEGER NOT NULL PRIMARY KEY REFERENCES knowledge_items (id) ON DELETE CASCADE,"
        " status VARCHAR(16) NOT NULL, type VARCHAR(16) NOT NULL, year INTEGER, language VARCHAR(8) NOT NULL,"
        " track_name VARCHAR(200) NOT NULL, publication_date DATE,"
        " factors TEXT NOT NULL DEFAULT '', target_groups TEXT NOT NULL DEFAULT '')"
    )
    # Facet counts without a text query group every published item by these columns: in this
    # order the index covers the query and hands the groups over sorted (no temporary b-tree).
    op.execute("CREATE INDEX ix_knowledge_search_facets_columns ON knowledge_search_facets "
               "(status, type, track_name, year, language)")
    if postgres:
        op.execute(
            "CREATE FUNCTION knowledge_search_facets_terms(item INTEGER) RETURNS void LANGUAGE sql AS $$"
            " UPDATE knowledge_search_facets SET"
            " factors = coalesce((SELECT string_agg(value, chr(31) ORDER BY value) FROM knowledge_terms"
            "  WHERE item_id = item AND kind = 'factor'), ''),"
            " target_groups = coalesce((SELECT string_agg(value, chr(31) ORDER BY value) FROM knowledge_terms"
            "  WHERE item_id = item AND kind = 'target_group'), '')"
            " WHERE item_id = item $$"
        )
        op.execute(
            "CREATE FUNCTION knowledge_search_facets_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" INSERT INTO knowledge_search_facets (item_id, {COLUMNS})"
            " VALUES (NEW.id, NEW.status, NEW.type, NEW.year, NEW.language, NEW.track_name, NEW.publication_date)"
            " ON CONFLICT (item_id) DO UPDATE SET status = excluded.status, type = excluded.type,"
            " year = excluded.year, language = excluded.language, track_name = excluded.track_name,"
            " publication_date = excluded.publication_date;"
            " RETURN NULL; END $$"
        )
        op.execute(
            "CREATE FUNCTION knowledge_search_facets_term() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF TG_OP <> 'INSERT' THEN PERFORM knowledge_search_facets_terms(OLD.item_id); END IF;"
            " IF TG_OP <> 'DELETE' THEN PERFORM knowledge_search_facets_terms(NEW.item_id); END IF;"
            " RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER knowledge_items_search_facets AFTER INSERT OR UPDATE OF {COLUMNS} "
            "ON knowledge_items FOR EACH ROW EXECUTE FUNCTION knowledge_search_facets_item()"
        )
        op.execute(
            "CREATE TRIGGER knowledge_terms_search_facets AFTER INSERT OR UPDATE OR DELETE ON knowledge_terms "
            "FOR EACH ROW EXECUTE FUNCTION knowledge_search_facets_term()"
        )
    else:
        values = "new.status, new.type, new.year, new.language, new.track_name, new.publication_date"
        terms = (f"factors = {TERMS_SQLITE.format(item='{item}', kind='factor')}, "
                 f"target_groups = {TERMS_SQLITE.format(item='{item}', kind='target_group')}")
        op.execute(
            "CREATE TRIGGER knowledge_items_search_facets_insert AFTER INSERT ON knowledge_items BEGIN "
            f"INSERT OR REPLACE INTO knowledge_search_facets (item_id, {COLUMNS}, factors, target_groups) "
            f"VALUES (new.id, {values}, '', ''); "
            f"UPDATE knowledge_search_facets SET {terms.format(item='new.id')} WHERE item_id = new.id; END"
        )
        op.execute(
            f"CREATE TRIGGER knowledge_items_search_facets_update AFTER UPDATE OF {COLUMNS} ON knowledge_items "
            "BEGIN UPDATE knowledge_search_facets SET status = new.status, type = new.type, year = new.year, "
            "language = new.language, track_name = new.track_name, publication_date = new.publication_date "
            "WHERE item_id = new.id; END"
        )
        op.execute(
            "CREATE TRIGGER knowledge_items_search_facets_delete AFTER DELETE ON knowledge_items "
            "BEGIN DELETE FROM knowledge_search_facets WHERE item_id = old.id; END"
        )
        for event, row in (("INSERT", "new"), ("DELETE", "old")):
            op.execute(
                f"CREATE TRIGGER knowledge_terms_search_facets_{event.lower()} AFTER {event} ON knowledge_terms "
                f"BEGIN UPDATE knowledge_search_facets SET {terms.format(item=f'{row}.item_id')} "
                f"WHERE item_id = {row}.item_id; END"
            )
        op.execute(
            "CREATE TRIGGER knowledge_terms_search_facets_update AFTER UPDATE ON knowledge_terms BEGIN "
            f"UPDATE knowledge_search_facets SET {terms.format(item='old.item_id')} WHERE item_id = old.item_id; "
            f"UPDATE knowledge_search_facets SET {terms.format(item='new.item_id')} WHERE item_id = new.item_id; "
            "END"
        )
    # The items that exist already.
    op.execute(f"INSERT INTO knowledge_search_facets (item_id, {COLUMNS}) SELECT id, {COLUMNS} FROM knowledge_items")
    if postgres:
        op.execute("SELECT knowledge_search_facets_terms(item_id) FROM knowledge_search_facets")
    else:
        terms_all = (f"factors = {TERMS_SQLITE.format(item='knowledge_search_facets.item_id', kind='factor')}, "
                     "target_groups = "
                     f"{TERMS_SQLITE.format(item='knowledge_search_facets.item_id', kind='target_group')}")
        op.execute(f"UPDATE knowledge_search_facets SET {terms_all}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS knowledge_terms_search_facets ON knowledge_terms")
        op.execute("DROP TRIGGER IF EXISTS knowledge_items_search_facets ON knowledge_items")
        op.execute("DROP TABLE IF EXISTS knowledge_search_facets")
        op.execute("DROP FUNCTION IF EXISTS knowledge_search_facets_term()")
        op.execute("DROP FUNCTION IF EXISTS knowledge_search_facets_item()")
        op.execute("DROP FUNCTION IF EXISTS knowledge_search_facets_terms(INTEGER)")
    else:
        for name in ("knowledge_items_search_facets_insert", "knowledge_items_search_facets_update",
                     "knowledge_items_search_facets_delete", "knowledge_terms_search_facets_insert",
                     "knowledge_terms_search_facets_delete", "knowledge_terms_search_facets_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS knowledge_search_facets")
