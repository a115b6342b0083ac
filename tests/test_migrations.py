"""The migrations and the models agree, and upgrade/downgrade work on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture
def empty_database(app, tmp_path):
    """A second, empty database of the same kind as the test database."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"congress_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _app_for(url: str, app):
    from congress import create_app

    return create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})


def test_upgrade_downgrade_upgrade_and_no_drift(app, empty_database):
    from congress.extensions import db

    other = _app_for(empty_database, app)
    with other.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            # Tables a capability manages outside the ORM (full-text indexes) are not compared.
            unmanaged = tuple(db.metadata.info.get("unmanaged_table_prefixes", ()))

            def include_object(obj, name, type_, reflected, compare_to):
                return not (type_ == "table" and reflected and compare_to is None and name.startswith(unmanaged))

            opts = {"compare_type": True, "include_object": include_object}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"

        downgrade(directory=MIGRATIONS, revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()

        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"congresses", "programme_sessions", "users", "audit_events", "mail_outbox"} <= tables
        db.session.remove()
        db.engine.dispose()


def test_one_head(app):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
