"""The app factory: ``create_app`` builds the Flask application from the capabilities."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ProductionConfig, config_from_env, public_base_url_problem, trusted_hosts
from congress import assets, capabilities, database, errors, i18n, jobs, logs, sanitize, security, storage
from congress.extensions import csrf, db, limiter, login_manager, migrate


class ConfigurationError(SystemExit):
    """A one-line, human message about a setting; exits without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Congres configuration error: {message}")


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "congress",
        template_folder="../templates",
        instance_path=os.environ.get("CONGRESS_INSTANCE_DIR", str(Path(__file__).resolve().parent.parent / "instance")),
    )
    _load_config(app, config)
    _check_writable(Path(app.instance_path), "CONGRESS_INSTANCE_DIR")

    # These load every capability (congress.models registers every table), so they are imported here,
    # when an app is made, and not when this module is imported.
    from congress import cli, metrics, models, templating  # noqa: F401, PLC0415 - loads every capability (above)
    from congress.accounts import access  # noqa: PLC0415 - loads every capability (above)
    from congress.accounts import services as accounts  # noqa: PLC0415 - loads every capability (above)
    from congress.mail import services as mail  # noqa: PLC0415 - loads every capability (above)

    _check_database_url(app)
    mail.check_configuration(app.config)  # a DKIM key that is set must sign: refused at start
    try:
        accounts.check_single_sign_on(app.config)  # single sign-on settings that cannot work: refused at start
    except accounts.ConfigurationProblem as exc:
        raise ConfigurationError(str(exc)) from None
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    sanitize.init_app(app)
    templating.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    try:
        storage.init_app(app)
    except storage.StorageConfigError as exc:
        raise ConfigurationError(str(exc)) from None
    jobs.init_app(app)

    with app.app_context():
        database.configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        if app.config.get("CHECK_DATABASE_ON_START", True) and not app.testing:
            _check_database_reachable(app)

    _register_blueprints(app)
    _connect_capabilities()
    cli.init_app(app)
    try:
        logs.init_app(app)
        metrics.init_app(app)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    security.refuse_untrusted_hosts(app)  # last: its hook runs first, and inside ProxyFix
    _trust_proxies(app)
    return app


def _load_config(app: Flask, config: type[Config] | dict[str, Any] | None) -> None:
    config_class = config_from_env()
    if isinstance(config, type):
        config_class = config
    app.config.from_object(config_class)
    if isinstance(config, dict):
        app.config.update(config)
    try:
        if app.config.get("PRODUCTION"):
            ProductionConfig.validate(app.config)
    except RuntimeError as exc:
        raise ConfigurationError(str(exc)) from None
    problem = public_base_url_problem(app.config.get("PUBLIC_BASE_URL"))
    if problem:
        raise ConfigurationError(problem)
    if app.config.get("TRUSTED_HOSTS") is None:
        # Production answers only its own host (and the configured extras): 400 for any other Host.
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address and scheme come from X-Forwarded-For
    and -Proto (so that rate limits count per client); with 0 (the default) those headers are ignored."""
    value = str(app.config.get("TRUSTED_PROXIES") or "0").strip()
    if not value.isdigit():
        raise ConfigurationError(f"TRUSTED_PROXIES '{value}' is not a number of reverse proxies (0, 1, 2, ...).")
    hops = int(value)
    app.config["TRUSTED_PROXIES"] = hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _check_database_url(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "DATABASE_URL is not a valid database URL (expected sqlite:///path or postgresql://user@host/db)."
        ) from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigurationError(f"DATABASE_URL names an unsupported database '{parsed.get_backend_name()}'.")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _check_writable(Path(parsed.database).parent, "DATABASE_URL")
    if parsed.get_backend_name() == "postgresql":
        # Copies: the configuration class's dict is shared by every app made from it.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("pool_pre_ping", True)
        options.update(_pool_size(app.config.get("DATABASE_POOL_SIZE")))
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _pool_size(value: Any) -> dict[str, int]:
    """``DATABASE_POOL_SIZE``: connections each process keeps (SQLAlchemy's default 5 when unset), with as
    many again allowed for a burst; behind PgBouncer in transaction mode size it to PgBouncer's pool."""
    text = str(value or "").strip()
    if not text:
        return {}
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise ConfigurationError(f"DATABASE_POOL_SIZE '{text}' is not a number of connections (1 to 1000).")
    return {"pool_size": int(text), "max_overflow": int(text)}


def _check_writable(directory: Path, setting: str) -> None:
    """The data directory exists and takes a file, or one line naming it (not a traceback later)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigurationError(
            f"the data directory {directory} is not writable ({exc.strerror or exc}); "
            f"make it writable for this user or point {setting} elsewhere."
        ) from None


def _check_database_reachable(app: Flask) -> None:
    try:
        with db.engine.connect():
            pass
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ConfigurationError(f"DATABASE_URL: cannot connect to the database ({reason}).") from None


def _connect_capabilities() -> None:
    """The one seam between capabilities: each ``<capability>/receivers.py`` has a ``connect()`` that
    connects its receivers to the signals of the capabilities below it. Called here, never at
    import time; connecting twice (a second app in the same process) changes nothing."""

    for module in capabilities.modules("receivers"):
        module.connect()


def _register_blueprints(app: Flask) -> None:
    """Each capability's ``views.bp`` (with its ``URL_PREFIX``) and ``api.bp`` (under /api/v1)."""
    for module in capabilities.modules("views"):
        # Every views module defines bp: one without it is a mistake, and fails here (AttributeError).
        app.register_blueprint(module.bp, url_prefix=getattr(module, "URL_PREFIX", None))
    for module in capabilities.modules("api"):
        # Bearer tokens, not cookies, authenticate API writes: no CSRF token there.
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp, url_prefix="/api/v1")
