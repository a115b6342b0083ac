"""archive: interventions on the Dutch recognition levels, with the databanks' fields

The home-made evidence scale (in_ontwikkeling, getest, bewezen_effectief) becomes the levels of the
Dutch databanks of effective interventions, stored in the same column ``evidence_status``:
nog_niet_beoordeeld, goed_beschreven, goed_onderbouwd, effectief_eerste, effectief_goede,
effectief_sterke.

Up: in_ontwikkeling → nog_niet_beoordeeld, getest → goed_beschreven, bewezen_effectief →
effectief_eerste; every converted item gets ``evidence_review`` set, so the editors' list shows it
("level converted automatically — check") until an editor confirms or changes the level. The values
inside the items' saved versions are converted the same way (a restore puts back a valid level).

Down (lossy): nog_niet_beoordeeld → in_ontwikkeling; goed_beschreven and goed_onderbouwd → getest;
the three effectief_* levels → bewezen_effectief. The difference between them is lost, as are the
databanks' fields and the kinds of relations (process and effect evaluations become plain relations).

Also: the intervention's fields (aim, approach, active ingredients, implementers, where it was
tested, manual and its address, the address of its entry in the national databank), the kind of a
relation, and the level as a search facet: a column of ``knowledge_search_facets`` (and, on
PostgreSQL, of the search rows, migration archive_0003), kept by the triggers of archive_0002, which
are made anew with it. On SQLite ``knowledge_items`` is rebuilt to change its CHECK constraint, which
drops its triggers: they are made again after it.

Revision ID: archive_0006
Revises: accounts_0006
Create Date: 2026-12-03 14:10:00

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'archive_0006'
down_revision = 'accounts_0006'
branch_labels = None
depends_on = None

UP = {"in_ontwikkeling": "nog_niet_beoordeeld", "getest": "goed_beschreven", "bewezen_effectief": "effectief_eerste"}
DOWN = {"nog_niet_beoordeeld": "in_ontwikkeling", "goed_beschreven": "getest", "goed_onderbouwd": "getest",
        "effectief_eerste": "bewezen_effectief", "effectief_goede": "bewezen_effectief",
        "effectief_sterke": "bewezen_effectief"}
OLD_VALUES = ("in_ontwikkeling", "getest", "bewezen_effectief")
NEW_VALUES = tuple(DOWN)
CONSTRAINT = "ck_knowledge_items_evidence_known"

NEW_TEXTS = ("aim", "approach", "active_ingredients", "tested_at", "manual")
NEW_STRINGS = ("manual_url", "databank_url")

BASE_COLUMNS = ("status", "type", "year", "language", "track_name", "publication_date")
BASE_TYPES = ("VARCHAR(16)", "VARCHAR(16)", "INTEGER", "VARCHAR(8)", "VARCHAR(200)", "DATE")
TERMS_SQLITE = (
    "(SELECT coalesce(group_concat(value, char(31)), '') FROM (SELECT value FROM knowledge_terms "
    "WHERE item_id = {item} AND kind = '{kind}' ORDER BY value))"
)


def _check(values):
    return "evidence_status IS NULL OR evidence_status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _map(mapping, review=None):
    """Each old value to its new one (a CASE, one statement), and the review flag when given."""
    case = "CASE evidence_status " + " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in mapping.items()) + " END"
    flag = "" if review is None else f", evidence_review = {'true' if review else 'false'}"
    op.execute(f"UPDATE knowledge_items SET evidence_status = {case}{flag} WHERE evidence_status IS NOT NULL")


def _map_versions(mapping):
    """The level inside each saved version (JSON), so that restoring an old version gives a valid level."""
    conn = op.get_bind()
    versions = sa.table("knowledge_versions", sa.column("id", sa.Integer), sa.column("data", sa.JSON))
    for version_id, data in conn.execute(sa.select(versions.c.id, versions.c.data)).all():
        if isinstance(data, str):
            data = json.loads(data)
        value = (data or {}).get("evidence_status")
        if value in mapping:
            conn.execute(versions.update().where(versions.c.id == version_id)
                         .values(data={**data, "evidence_status": mapping[value]}))


def _replace_constraint(values):
    with op.batch_alter_table("knowledge_items") as batch:
        batch.create_check_constraint(op.f(CONSTRAINT), _check(values))


SQLITE_ITEM_TRIGGERS = ("knowledge_items_search_delete", "knowledge_items_search_facets_insert",
                        "knowledge_items_search_facets_update", "knowledge_items_search_facets_delete")


def _drop_sqlite_item_triggers():
    for name in SQLITE_ITEM_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_item_triggers(columns):
    """The triggers on knowledge_items (archive_0001's index clean-up, archive_0002's facet rows)."""
    _drop_sqlite_item_triggers()
    listed = ", ".join(columns)
    values = ", ".join(f"new.{c}" for c in columns)
    terms = (f"factors = {TERMS_SQLITE.format(item='new.id', kind='factor')}, "
             f"target_groups = {TERMS_SQLITE.format(item='new.id', kind='target_group')}")
    op.execute("CREATE TRIGGER knowledge_items_search_delete AFTER DELETE ON knowledge_items "
               "BEGIN DELETE FROM knowledge_search WHERE rowid = old.id; END")
    op.execute(
        "CREATE TRIGGER knowledge_items_search_facets_insert AFTER INSERT ON knowledge_items BEGIN "
        f"INSERT OR REPLACE INTO knowledge_search_facets (item_id, {listed}, factors, target_groups) "
        f"VALUES (new.id, {values}, '', ''); "
        f"UPDATE knowledge_search_facets SET {terms} WHERE item_id = new.id; END"
    )
    op.execute(
        f"CREATE TRIGGER knowledge_items_search_facets_update AFTER UPDATE OF {listed} ON knowledge_items "
        "BEGIN UPDATE knowledge_search_facets SET " + ", ".join(f"{c} = new.{c}" for c in columns)
        + " WHERE item_id = new.id; END"
    )
    op.execute("CREATE TRIGGER knowledge_items_search_facets_delete AFTER DELETE ON knowledge_items "
               "BEGIN DELETE FROM knowledge_search_facets WHERE item_id = old.id; END")


def _postgres_functions(columns, all_columns):
    """archive_0002's item trigger and archive_0003's copies between facet and search rows, for ``columns``
    (the item's own facet columns) and ``all_columns`` (those plus the terms)."""
    listed = ", ".join(columns)
    op.execute("DROP TRIGGER IF EXISTS knowledge_items_search_facets ON knowledge_items")
    op.execute(
        "CREATE OR REPLACE FUNCTION knowledge_search_facets_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO knowledge_search_facets (item_id, {listed})"
        f" VALUES (NEW.id, {', '.join('NEW.' + c for c in columns)})"
        " ON CONFLICT (item_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns) + ";"
        " RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER knowledge_items_search_facets AFTER INSERT OR UPDATE OF {listed} "
        "ON knowledge_items FOR EACH ROW EXECUTE FUNCTION knowledge_search_facets_item()"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION knowledge_search_copy_facets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" SELECT {', '.join('f.' + c for c in all_columns)} INTO {', '.join('NEW.' + c for c in all_columns)}"
        " FROM knowledge_search_facets f WHERE f.item_id = NEW.item_id;"
        " RETURN NEW; END $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION knowledge_search_facets_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" UPDATE knowledge_search SET {', '.join(f'{c} = NEW.{c}' for c in all_columns)}"
        " WHERE item_id = NEW.item_id;"
        " RETURN NULL; END $$"
    )


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    # The intervention's fields and the review flag (plain ADD COLUMN on both databases).
    for name in NEW_TEXTS:
        op.add_column("knowledge_items", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    for name in NEW_STRINGS:
        op.add_column("knowledge_items", sa.Column(name, sa.String(length=500), nullable=False, server_default=""))
    op.add_column("knowledge_items", sa.Column("implementers", sa.JSON(), nullable=False,
                                               server_default=sa.text("'[]'")))
    op.add_column("knowledge_items", sa.Column("evidence_review", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.add_column("knowledge_relations", sa.Column("kind", sa.String(length=16), nullable=False, server_default=""))

    # The levels: the old constraint goes, the values move, the new constraint comes.
    with op.batch_alter_table("knowledge_items") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
    _map(UP, review=True)
    _map_versions(UP)
    _replace_constraint(NEW_VALUES)

    # The level as a search facet.
    op.add_column("knowledge_search_facets", sa.Column("evidence_status", sa.String(length=24), nullable=True))
    op.execute("DROP INDEX IF EXISTS ix_knowledge_search_facets_columns")
    op.execute("CREATE INDEX ix_knowledge_search_facets_columns ON knowledge_search_facets "
               "(status, type, track_name, year, language, evidence_status)")
    columns = (*BASE_COLUMNS, "evidence_status")
    if postgres:
        op.execute("ALTER TABLE knowledge_search ADD COLUMN evidence_status VARCHAR(24)")
        _postgres_functions(columns, (*columns, "factors", "target_groups"))
    else:
        _sqlite_item_triggers(columns)
    # The rows there are (on PostgreSQL the facet row's trigger copies it to the search row).
    op.execute("UPDATE knowledge_search_facets SET evidence_status = (SELECT i.evidence_status FROM knowledge_items i "
               "WHERE i.id = knowledge_search_facets.item_id)")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    # The facet goes first (the triggers stop writing it; SQLite drops no column a trigger names).
    if postgres:
        _postgres_functions(BASE_COLUMNS, (*BASE_COLUMNS, "factors", "target_groups"))
        op.execute("ALTER TABLE knowledge_search DROP COLUMN IF EXISTS evidence_status")
    else:
        _drop_sqlite_item_triggers()
    op.execute("DROP INDEX IF EXISTS ix_knowledge_search_facets_columns")
    op.execute("ALTER TABLE knowledge_search_facets DROP COLUMN evidence_status")
    op.execute("CREATE INDEX ix_knowledge_search_facets_columns ON knowledge_search_facets "
               "(status, type, track_name, year, language)")

    # The levels back to the old scale (lossy, see above).
    with op.batch_alter_table("knowledge_items") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
    _map(DOWN)
    _map_versions(DOWN)
    with op.batch_alter_table("knowledge_items") as batch:
        for name in (*NEW_TEXTS, *NEW_STRINGS, "implementers", "evidence_review"):
            batch.drop_column(name)
        batch.create_check_constraint(op.f(CONSTRAINT), _check(OLD_VALUES))
    op.execute("ALTER TABLE knowledge_relations DROP COLUMN kind")
    if not postgres:
        _sqlite_item_triggers(BASE_COLUMNS)
