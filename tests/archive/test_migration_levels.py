"""archive_0006 moves the old evidence values to the recognition levels and back, with real rows, on the
database the tests run on (SQLite, and PostgreSQL with TEST_DATABASE_URL): the items, their saved
versions, the review flag, the search's facet rows and (PostgreSQL) the search rows, and the triggers
that keep those after the migration rebuilt the item table."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from congress.archive import search, services
from congress.archive.models import LEVELS_BACK, OLD_LEVELS, KnowledgeItem
from congress.archive.search_query import SearchFilters
from congress.extensions import db
from tests.test_migrations import MIGRATIONS, _app_for
from tests.test_migrations import empty_database as empty_database  # the fixture

BEFORE = "accounts_0006"
AFTER = "archive_0006"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _item(conn, key: str, title: str, evidence: str | None, *, item_type: str = "interventie",
          status: str = "published") -> int:
    item_id = conn.execute(sa.text(
        "INSERT INTO knowledge_items (key, type, status, title, summary, body, track_name, authors, organisations, "
        "links, language, licence, publication_date, year, evidence_status, setting, created_at, updated_at, "
        "withdrawal_reason) VALUES (:key, :type, :status, :title, 'samenvatting', '', 'Digitale weerbaarheid', "
        "'[]', '[]', '[]', 'nl', 'CC BY 4.0', :day, 2025, :evidence, '', :now, :now, '') RETURNING id"),
        {"key": key, "type": item_type, "status": status, "title": title, "day": date(2025, 3, 1),
         "evidence": evidence, "now": NOW}).scalar_one()
    conn.execute(sa.text("INSERT INTO knowledge_versions (item_id, number, data, note, actor_label, created_at) "
                         "VALUES (:item, 1, :data, 'created', 'test', :now)"),
                 {"item": item_id, "data": json.dumps({"title": title, "evidence_status": evidence}), "now": NOW})
    return item_id


def _rows(conn) -> dict[str, tuple]:
    return {key: (evidence, review) for key, evidence, review in conn.execute(sa.text(
        "SELECT key, evidence_status, evidence_review FROM knowledge_items"))}


def _version_levels(conn) -> dict[int, str | None]:
    rows = conn.execute(sa.text("SELECT item_id, data FROM knowledge_versions")).all()
    return {item_id: (json.loads(data) if isinstance(data, str) else data)["evidence_status"] for item_id, data in rows}


def test_old_evidence_values_migrate_up_and_down(app, empty_database):
    other = _app_for(empty_database, app)
    with other.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            ids = {
                "ontw": _item(conn, "ontw", "Werkplaatsen", "in_ontwikkeling"),
                "getest": _item(conn, "getest", "Gastlessen mediawijsheid", "getest"),
                "bewezen": _item(conn, "bewezen", "Mentorprogramma", "bewezen_effectief"),
                "geen": _item(conn, "geen", "Verslag", None, item_type="sessieverslag"),
            }
            evaluation = _item(conn, "evaluatie", "Evaluatie", None, item_type="evaluatie")
            conn.execute(sa.text("INSERT INTO knowledge_relations (item_id, related_id) VALUES (:a, :b)"),
                         {"a": ids["getest"], "b": evaluation})
            conn.execute(sa.text("INSERT INTO knowledge_terms (item_id, kind, value) VALUES (:i, 'factor', "
                                 "'digitale weerbaarheid')"), {"i": ids["getest"]})

        upgrade(directory=MIGRATIONS, revision=AFTER)
        with db.engine.begin() as conn:
            rows = _rows(conn)
            # Each old value became its level and is listed for the editors to check; no level, no flag.
            assert {k: (v, bool(r)) for k, (v, r) in rows.items()} == {
                "ontw": ("nog_niet_beoordeeld", True), "getest": ("goed_beschreven", True),
                "bewezen": ("effectief_eerste", True), "geen": (None, False), "evaluatie": (None, False)}
            assert {OLD_LEVELS[old] for old in ("in_ontwikkeling", "getest", "bewezen_effectief")} == {
                "nog_niet_beoordeeld", "goed_beschreven", "effectief_eerste"}
            assert _version_levels(conn)[ids["bewezen"]] == "effectief_eerste"  # a restore gives a valid level
            # Everything else of the rebuilt table is there: relations (now of a kind), terms, facet rows.
            assert conn.execute(sa.text("SELECT kind FROM knowledge_relations")).scalar_one() == ""
            facets = dict(conn.execute(sa.text("SELECT item_id, evidence_status FROM knowledge_search_facets")).all())
            assert facets[ids["getest"]] == "goed_beschreven" and facets[ids["geen"]] is None
            assert conn.execute(sa.text("SELECT factors FROM knowledge_search_facets WHERE item_id = :i"),
                                {"i": ids["getest"]}).scalar_one() == "digitale weerbaarheid"
            # The old values are refused now, the new ones taken.
            conn.execute(sa.text("UPDATE knowledge_items SET evidence_status = 'effectief_sterke' WHERE key = 'ontw'"))
            conn.execute(sa.text("UPDATE knowledge_items SET evidence_status = 'goed_onderbouwd' "
                                 "WHERE key = 'getest'"))
        with db.engine.connect() as conn:
            try:
                conn.execute(sa.text("UPDATE knowledge_items SET evidence_status = 'getest' WHERE key = 'bewezen'"))
            except sa.exc.IntegrityError:
                conn.rollback()
            else:
                raise AssertionError("the old value was accepted")

        # The application works on the migrated database: the triggers keep the facet rows, search finds by level.
        # (It needs the later migrations too: the search's vocabulary is archive_0008's, and the models are the head's.)
        upgrade(directory=MIGRATIONS)
        search.reindex_all()
        db.session.commit()
        item = db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.key == "bewezen"))
        services.update_item(item, evidence_status="effectief_goede")
        db.session.commit()
        assert item.evidence_review is False  # an editor chose the level
        found = search.search("", SearchFilters(levels=["effectief_goede"]))
        assert [h.item.key for h in found.hits] == ["bewezen"]
        assert dict(search.search("mentorprogramma").facets["level"]) == {"effectief_goede": 1}
        created = services.create_item("interventie", "Nieuw", evidence_status="goed_beschreven")
        db.session.commit()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT evidence_status FROM knowledge_search_facets WHERE item_id = :i"),
                                {"i": created.id}).scalar_one() == "goed_beschreven"
            if postgres:
                assert conn.execute(sa.text("SELECT evidence_status FROM knowledge_search WHERE item_id = :i"),
                                    {"i": item.id}).scalar_one() == "effectief_goede"
        services.set_related(item, [], process_ids=[], effect_ids=[ids["getest"]])
        db.session.commit()
        created_key = created.key
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            levels = dict(conn.execute(sa.text("SELECT key, evidence_status FROM knowledge_items")).all())
            # Down is lossy: each level to the nearest old value.
            assert levels == {"ontw": "bewezen_effectief", "getest": "getest", "bewezen": "bewezen_effectief",
                              "geen": None, "evaluatie": None, created_key: "getest"}
            assert {LEVELS_BACK[level] for level in ("effectief_sterke", "effectief_goede")} == {"bewezen_effectief"}
            assert _version_levels(conn)[ids["getest"]] == "getest"
            columns = {c["name"] for c in sa.inspect(conn).get_columns("knowledge_items")}
            assert not {"evidence_review", "aim", "databank_url", "implementers"} & columns
            assert "kind" not in {c["name"] for c in sa.inspect(conn).get_columns("knowledge_relations")}
            assert "evidence_status" not in {c["name"] for c in sa.inspect(conn).get_columns("knowledge_search_facets")}
            # The earlier triggers are back: a new item gets its facet row, a deleted one loses it.
            new_id = _item(conn, "terug", "Terug", "getest")
            assert conn.execute(sa.text("SELECT status FROM knowledge_search_facets WHERE item_id = :i"),
                                {"i": new_id}).scalar_one() == "published"
            conn.execute(sa.text("DELETE FROM knowledge_items WHERE id = :i"), {"i": new_id})
            assert conn.execute(sa.text("SELECT count(*) FROM knowledge_search_facets WHERE item_id = :i"),
                                {"i": new_id}).scalar_one() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM knowledge_relations")).scalar_one() == 2

        upgrade(directory=MIGRATIONS)  # and up again, to the head
        with db.engine.begin() as conn:
            assert _rows(conn)["getest"] == ("goed_beschreven", True)
        db.session.remove()
        db.engine.dispose()
