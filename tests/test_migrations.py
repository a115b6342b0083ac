"""The migrations and the models agree, and upgrade/downgrade work on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from congress import create_app
from congress.accounts import services as accounts
from congress.accounts.models import ApiToken
from congress.database import utcnow
from congress.extensions import db
from congress.tokens import hash_secret

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
    return create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})


def test_upgrade_downgrade_upgrade_and_no_drift(app, empty_database):
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
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_one_token_table_keeps_issued_tokens_working(app, empty_database):
    """accounts_0002 copies the e-mail links and API tokens of a database made at the revision before
    it into the one token table with their hashes, so that secrets already handed out still work."""
    other = _app_for(empty_database, app)
    with other.app_context():
        upgrade(directory=MIGRATIONS, revision="checkin_0002")
        now = utcnow()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (id, email, name, active, created_at) "
                                 "VALUES (7, 'staff@example.org', 'Staff', :yes, :now)"), {"yes": True, "now": now})
            conn.execute(sa.text("INSERT INTO account_tokens (id, user_id, purpose, token_hash, created_at, "
                                 "expires_at) VALUES (1, 7, 'reset', :reset, :now, :later), "
                                 "(2, 7, 'invite', :invite, :now, :later), (3, 7, 'verify', :verify, :now, :later)"),
                         {"reset": hash_secret("old-reset"), "invite": hash_secret("old-invite"),
                          "verify": hash_secret("old-verify"), "now": now,
                          "later": now + timedelta(days=1)})
            conn.execute(sa.text("INSERT INTO api_tokens (id, name, scope, token_hash, prefix, created_at) "
                                 "VALUES (1, 'scanner', 'checkin', :api, 'cgr_old', :now)"),
                         {"api": hash_secret("cgr_old-api"), "now": now})
        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "tokens" in tables and not {"account_tokens", "api_tokens"} & tables

        token = accounts.api_token_for("cgr_old-api", "checkin")
        assert token is not None and token.id == 1 and token.name == "scanner"  # the id the CLI showed
        assert accounts.check_account_token("old-invite", accounts.PURPOSE_INVITE) is not None
        assert accounts.check_account_token("old-verify", "verify") is not None  # a speaker's address
        assert accounts.check_account_token("old-reset", accounts.PURPOSE_INVITE) is None  # kinds stay apart
        user = accounts.redeem_account_token("old-reset", accounts.PURPOSE_RESET, "a new long password")
        assert user.id == 7 and accounts.authenticate("staff@example.org", "a new long password") is not None
        # New tokens get new ids after the copied ones (PostgreSQL's sequence was moved past them).
        assert accounts.create_api_token("partner", "registrations").token.id > 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 2
        db.session.remove()
        db.engine.dispose()
