"""Fixtures shared by every test.

The database is SQLite (a file in a temporary folder) unless ``TEST_DATABASE_URL`` points at
PostgreSQL; ``make test`` runs the suite once on each. The schema is made by the Alembic
migrations, once per run, and every test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage as Message
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.globals import _cv_app
from flask_login import FlaskLoginClient
from flask_migrate import upgrade

from config import TestConfig
from congress import create_app, jobs, storage
from congress.accounts import sessions
from congress.database import write_transaction
from congress.extensions import db, limiter
from congress.tokens import hash_secret
from tests.factories import make_congress, make_user
from tests.support.s3 import S3Server, start_s3_server

ROOT = Path(__file__).resolve().parent.parent
# The exchange schemas the exports are validated against, kept in the repository (tests/schemas/).
SCHEMAS = ROOT / "tests" / "schemas" / "c3voc"
OAI_SCHEMAS = ROOT / "tests" / "schemas" / "oai-pmh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            )
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, RecordingHandler]]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> list[Message]:
    """Messages the real SMTP server received during this test."""
    _, handler = smtp_server
    with handler.lock:
        handler.messages.clear()
    return handler.messages


REDIS_MISSING = (
    "redis-server is not installed: `scripts/install_system_deps.sh test` (run by make test) installs it"
)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A Redis server for the tests: ``TEST_REDIS_URL`` (make test starts one with
    scripts/redis_test_server.sh), else a throw-away ``redis-server`` on 127.0.0.1 started here, no
    persistence, stopped at the end. Skips only when no redis-server binary exists; under make test
    (``CONGRESS_REQUIRE_REDIS=1``) a missing server fails instead, so CI never skips."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        redis.Redis.from_url(url, socket_timeout=5).ping()  # a named server must answer
        yield url
        return
    binary = shutil.which("redis-server", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/usr/sbin"]))
    if binary is None:
        if os.environ.get("CONGRESS_REQUIRE_REDIS") == "1":
            pytest.fail(REDIS_MISSING)
        pytest.skip(REDIS_MISSING)
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}: {(folder / 'redis.log').read_text()}")
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The test Redis, empty at the start and at the end of the test."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield redis_server
    client.flushdb()
    client.close()


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def app(request, tmp_path_factory, smtp_server) -> Iterator[Flask]:
    tmp_dir = tmp_path_factory.mktemp("congress")
    controller, _ = smtp_server
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=database_url(tmp_dir),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        HUEY_SQLITE_PATH=str(tmp_dir / "huey.db"),
    )
    if os.environ.get("TEST_STORAGE") == "s3":
        # Every test on object storage (the local S3 server) instead of the local folders.
        server = request.getfixturevalue("s3_server")
        settings.update(server.config(server.make_bucket()))
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _drop_everything(db)
        upgrade(directory=str(ROOT / "migrations"))
    yield application
    with application.app_context():
        db.session.remove()
        _drop_everything(db)
        db.engine.dispose()


def _drop_everything(db) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)


@pytest.fixture(autouse=True)
def _clean_database(request) -> Iterator[None]:
    """Every test that uses the app starts with empty tables."""
    if "app" not in request.fixturenames:
        yield
        return
    flask_app = request.getfixturevalue("app")

    # A test may change the shared configuration (limits, ports, hooks): each one gets it back as it was,
    # so that no test depends on the order the suite runs in (make test runs it in a random order).
    saved_config = dict(flask_app.config)
    ctx = flask_app.app_context()
    ctx.push()
    try:
        yield
    finally:
        db.session.remove()
        truncate_all(db)
        ctx.pop()
        flask_app.config.clear()
        flask_app.config.update(saved_config)

        limiter.reset()  # rate-limit counters are per test too, not per run


def truncate_all(db) -> None:
    tables = [t for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


class IsolatedClient(FlaskLoginClient):
    """Each request gets its own application context, as in production.

    Tests hold an application context open to call services; without this, requests would share
    it (and with it ``g``, the cached locale, the logged-in user and the database session).

    ``app.test_client(user=…)`` signs the client in as a real sign-in does: with a server-side session
    row (``accounts.sessions``), whose id ``session_id`` keeps.
    """

    session_id: str | None = None

    def __init__(self, *args, **kwargs):
        user = kwargs.pop("user", None)
        fresh = kwargs.pop("fresh_login", True)
        super().__init__(*args, **kwargs)
        if user is not None:
            with write_transaction():
                secret = sessions.start_session(user, method="password", user_agent=self._user_agent(),
                                                ip_address="127.0.0.1")
            self.session_id = hash_secret(secret)
            with self.session_transaction() as sess:
                sess["_user_id"] = user.get_id()
                sess["_fresh"] = fresh
                sess[sessions.SESSION_KEY] = secret

    def _user_agent(self) -> str:
        return str(self.environ_base.get("HTTP_USER_AGENT", "Werkzeug/test"))

    def open(self, *args, **kwargs):
        db.session.commit()  # what the test wrote is visible to the request
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()  # and what the request wrote is visible to the test


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """moto's standalone S3-compatible server on 127.0.0.1 (tests/support/s3.py), for the whole run."""
    server = start_s3_server(tmp_path_factory.mktemp("s3") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server_without_auth(tmp_path_factory) -> Iterator[S3Server]:
    """The same server checking no signatures: moto's authentication cannot check a presigned URL."""
    server = start_s3_server(tmp_path_factory.mktemp("s3-open") / "moto.log", auth=False)
    yield server
    server.stop()


@pytest.fixture
def s3_storage(app, s3_server: S3Server) -> str:
    """The app's storage in a bucket of its own on the local S3 server, for this test (the settings
    come back as they were after it); the bucket's name."""
    bucket = s3_server.make_bucket()
    app.config.update(s3_server.config(bucket))
    return bucket


@pytest.fixture(params=["local", "s3"])
def any_storage(request, app, tmp_path) -> str:
    """Each backend in turn, for the tests that must hold on both: the local directories (under this
    test's tmp_path) and object storage on the local S3 server. The backend's name."""
    for config_key, folder in storage.AREAS.values():
        app.config[config_key] = str(tmp_path / folder)
    app.config["STORAGE_URL"] = ""
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


@pytest.fixture
def restore_extensions(app):
    """Apps made in a test re-configure the shared queue and limiter: give them back to the test app."""
    yield
    jobs.init_app(app)
    limiter.init_app(app)
    limiter.reset()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def congress(app: Flask):
    return make_congress("congres-test")


@pytest.fixture
def organiser(app: Flask):
    return make_user("organiser", email="org@example.org", name="Olga Organisator")


@pytest.fixture
def admin(app: Flask):
    return make_user("admin", email="admin@example.org", name="Ada Admin")
