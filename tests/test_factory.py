import subprocess
import sys

import pytest

from config import DEV_SECRET_KEY, ProductionConfig, TestConfig
from congress import ConfigurationError, create_app


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
    from congress.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_default_database_is_sqlite_under_instance():
    assert TestConfig.SQLALCHEMY_DATABASE_URI.startswith(("sqlite:///", "postgresql+psycopg://"))
    from config import Config

    assert "instance" in Config.SQLALCHEMY_DATABASE_URI or "DATABASE_URL" in __import__("os").environ


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def test_a_postgresql_app_does_not_change_the_settings_of_later_apps(app):
    """The engine options of one app (PostgreSQL connect timeout) must not leak into the next."""
    from config import TestConfig

    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    create_app({**settings, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/x"})
    sqlite_app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "connect_args" not in sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert TestConfig.SQLALCHEMY_ENGINE_OPTIONS == {}
