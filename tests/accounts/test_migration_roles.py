"""accounts_0003: existing grants keep meaning every edition; a track manager's gets the track's edition;
the downgrade drops (never widens) what only one edition held."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from congress.database import utcnow
from congress.extensions import db
from tests.factories import make_congress
from tests.test_migrations import MIGRATIONS, _app_for, empty_database  # noqa: F401 (a fixture)


def test_roles_per_edition_migration_up_and_down(app, empty_database):  # noqa: F811
    other = _app_for(empty_database, app)
    with other.app_context():
        upgrade(directory=MIGRATIONS)
        congress = make_congress("migratie")
        track_id, congress_id = congress.tracks[0].id, congress.id
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="questions_0001")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, email, name, active, created_at) "
                                 "VALUES (7, 'tm@example.org', 'TM', :yes, :now)"), {"yes": True, "now": utcnow()})
            conn.execute(sa.text("INSERT INTO role_grants (user_id, role, track_id, created_at) VALUES "
                                 "(7, 'track_manager', :track, :now), (7, 'reviewer', NULL, :now)"),
                         {"track": track_id, "now": utcnow()})
        upgrade(directory=MIGRATIONS)
        rows = db.session.execute(sa.text("SELECT role, congress_id, track_id FROM role_grants ORDER BY role")).all()
        assert [tuple(r) for r in rows] == [("reviewer", None, None), ("track_manager", congress_id, track_id)]
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO role_grants (user_id, role, congress_id, created_at) "
                                 "VALUES (7, 'checkin', :c, :now)"), {"c": congress_id, "now": utcnow()})
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="questions_0001")
        rows = db.session.execute(sa.text("SELECT role, track_id FROM role_grants ORDER BY role")).all()
        assert [tuple(r) for r in rows] == [("reviewer", None), ("track_manager", track_id)]
        db.session.remove()
        db.engine.dispose()
