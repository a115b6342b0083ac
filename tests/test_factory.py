import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from config import DEV_SECRET_KEY, Config, ProductionConfig, TestConfig
from congress import ConfigurationError, capabilities, create_app
from congress.accounts.sessions import session_user
from congress.extensions import db, login_manager


def test_testing_config(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "nl"


def test_production_refuses_default_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({**_settings(ProductionConfig), "SECRET_KEY": DEV_SECRET_KEY})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({**_settings(ProductionConfig), "SECRET_KEY": ""})


def test_production_config_secures_cookies():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def _settings(cls):
    return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}


def test_malformed_database_url_is_one_line_naming_the_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env={"DATABASE_URL": "this is not a url", "CONGRESS_INSTANCE_DIR": str(tmp_path), "PATH": "/usr/bin"},
        capture_output=True, text=True, cwd=str(_root()), timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line_naming_the_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing", "CONGRESS_INSTANCE_DIR": str(tmp_path),
             "PATH": "/usr/bin"},
        capture_output=True, text=True, cwd=str(_root()), timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "cannot connect" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_pragmas(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_default_database_is_sqlite_under_instance():
    assert TestConfig.SQLALCHEMY_DATABASE_URI.startswith(("sqlite:///", "postgresql+psycopg://"))
    assert "instance" in Config.SQLALCHEMY_DATABASE_URI or "DATABASE_URL" in os.environ


def _root():
    return Path(__file__).resolve().parent.parent


def test_a_postgresql_app_does_not_change_the_settings_of_later_apps(app):
    """The engine options of one app (PostgreSQL connect timeout) must not leak into the next."""
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    create_app({**settings, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/x"})
    sqlite_app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "connect_args" not in sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert TestConfig.SQLALCHEMY_ENGINE_OPTIONS == {}


def test_a_views_module_without_bp_is_an_error_not_skipped(app, monkeypatch):
    """create_app registers every capability's ``views.bp``: a views module without one fails loudly."""
    empty = types.ModuleType("congress.nothing.views")
    real = capabilities.modules
    monkeypatch.setattr(capabilities, "modules", lambda kind: [*real(kind), empty] if kind == "views" else real(kind))
    with pytest.raises(AttributeError, match="bp"):
        create_app({**app.config})


def test_the_login_manager_is_set_up_by_accounts(app):
    """security.py is foundation; accounts.access.init_app sets up Flask-Login (loader, login page)."""
    assert login_manager.login_view == "accounts.login"
    assert login_manager._user_callback is session_user
    with app.test_request_context("/manage/", headers={"Accept": "text/html"}):
        response = login_manager.unauthorized()
        assert response.status_code == 302 and "/login" in response.headers["Location"]
