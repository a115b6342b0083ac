"""programme_0002 gives sessions and knowledge items their English title and abstract / summary, with real
rows, on the database the tests run on (SQLite, and PostgreSQL with TEST_DATABASE_URL): every existing
text stays as it was and is the Dutch one, the English ones start empty, the application reads them
through the one bilingual helper, and downgrading drops only the English (SQLite keeps the search
triggers on knowledge_items: no table copy)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from congress.archive.models import KnowledgeItem
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from tests.archive.test_migration_levels import _item
from tests.test_migrations import MIGRATIONS, _app_for
from tests.test_migrations import empty_database as empty_database  # the fixture

BEFORE = "accounts_0007"
AFTER = "programme_0002"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def _triggers() -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'knowledge_items'")).scalars())


def test_english_texts_are_added_empty_and_dropped_again_keeping_the_dutch(app, empty_database):
    other = _app_for(empty_database, app)
    with other.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            congress_id = conn.execute(sa.text(
                "INSERT INTO congresses (slug, title_nl, title_en, tagline_nl, tagline_en, description_nl, "
                "description_en, starts_on, ends_on, timezone, venue_name, venue_address, contact_email, status, "
                "created_at) VALUES ('congres-2025', 'Congres 2025', 'Congress 2025', '', '', '', '', :day, :day, "
                "'Europe/Amsterdam', '', '', '', 'published', :now) RETURNING id"),
                {"day": date(2025, 11, 20), "now": NOW}).scalar_one()
            session_id = conn.execute(sa.text(
                "INSERT INTO programme_sessions (congress_id, title, abstract, format, language, target_audience, "
                "signup_required, is_cancelled, sequence, created_at, updated_at) VALUES (:congress, "
                "'Weerbaar online', 'Jongeren leren nepnieuws herkennen.', 'workshop', 'nl', '', :no, :no, 0, "
                ":now, :now) RETURNING id"), {"congress": congress_id, "no": False, "now": NOW}).scalar_one()
            item_id = _item(conn, "weerbaar", "Weerbaarheidstraining", None, item_type="rapport")
        triggers = _triggers() if sqlite else set()

        upgrade(directory=MIGRATIONS, revision=AFTER)
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT title, abstract, title_en, abstract_en FROM programme_sessions")
                                ).one() == ("Weerbaar online", "Jongeren leren nepnieuws herkennen.", "", "")
            assert conn.execute(sa.text("SELECT title, summary, title_en, summary_en FROM knowledge_items")
                                ).one() == ("Weerbaarheidstraining", "samenvatting", "", "")
        if sqlite:
            assert _triggers() == triggers and triggers  # the search triggers are still there

        upgrade(directory=MIGRATIONS)  # the head: the models' own database
        session = db.session.get(ProgrammeSession, session_id)
        item = db.session.get(KnowledgeItem, item_id)
        assert (session.title_for("en"), session.abstract_for("en")) == ("Weerbaar online",
                                                                          "Jongeren leren nepnieuws herkennen.")
        session.title_en, item.summary_en = "Resilient online", "A summary."
        db.session.commit()
        assert (session.title_for("en"), session.title_for("nl")) == ("Resilient online", "Weerbaar online")
        assert (item.summary_for("en"), item.summary_for("nl")) == ("A summary.", "samenvatting")
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert not {"title_en", "abstract_en"} & _columns("programme_sessions")
        assert not {"title_en", "summary_en"} & _columns("knowledge_items")
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT title, abstract FROM programme_sessions")).one() == (
                "Weerbaar online", "Jongeren leren nepnieuws herkennen.")
            assert conn.execute(sa.text("SELECT title, summary FROM knowledge_items")).one() == (
                "Weerbaarheidstraining", "samenvatting")
            # The search triggers still work on the table (SQLite: facet rows follow a deleted item).
            assert conn.execute(sa.text("SELECT count(*) FROM knowledge_search_facets")).scalar_one() == 1
            conn.execute(sa.text("DELETE FROM knowledge_items"))
            assert conn.execute(sa.text("SELECT count(*) FROM knowledge_search_facets")).scalar_one() == 0
        if sqlite:
            assert _triggers() == triggers

        upgrade(directory=MIGRATIONS)  # and up again
        assert {"title_en", "abstract_en"} <= _columns("programme_sessions")
        db.session.remove()
        db.engine.dispose()
