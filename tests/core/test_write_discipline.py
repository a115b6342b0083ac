"""One write discipline: every write path opens its transaction with ``write_transaction()``.

On SQLite a transaction that begins as a reader and later writes fails at once with "database is
locked" when another process holds the write lock or committed meanwhile, whatever the busy timeout.
Each hot spot below reads and then writes while a second process holds the write lock and commits
in between: it must wait and succeed.
"""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from congress import create_app, database, jobs
from congress.accounts.models import User
from congress.badges import services as badges
from congress.badges.models import IssuedCode, PrintRun
from congress.database import write_transaction
from congress.extensions import db
from congress.registration import services as registration
from tests.factories import PASSWORD, make_user
from tests.registration.factories import data, open_congress, registered

ROOT = Path(__file__).resolve().parent.parent.parent
ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's file lock and its 'database is locked'")

# A second process that takes the writers' queue and SQLite's write lock, writes, holds them, commits.
HOLDER = r"""
import fcntl, os, sqlite3, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
queue = os.open(path + ".writers", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(queue, fcntl.LOCK_EX)
connection = sqlite3.connect(path, isolation_level=None, timeout=30)
connection.execute("BEGIN IMMEDIATE")
connection.execute("CREATE TABLE IF NOT EXISTS lock_holder (at REAL)")
connection.execute("INSERT INTO lock_holder VALUES (?)", (time.time(),))
print("holding", flush=True)
time.sleep(seconds)
connection.execute("COMMIT")
fcntl.flock(queue, fcntl.LOCK_UN)
print("released", flush=True)
"""


def sqlite_path(app) -> str:
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


def _start_holder(app, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDER, sqlite_path(app), str(seconds)],
                            stdout=subprocess.PIPE, text=True)


@contextmanager
def write_lock_held(app, seconds: float = 1.5) -> Iterator[subprocess.Popen]:
    """Another process holds the write lock for ``seconds`` (and commits a row at the end)."""
    db.session.rollback()  # no snapshot of ours from before
    holder = _start_holder(app, seconds)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.wait(timeout=30)
        assert holder.returncode == 0


# --- the helper itself ---------------------------------------------------------------------------


def test_write_transaction_refuses_changes_made_outside_it(app):
    user = make_user()
    user.name = "changed outside"
    with pytest.raises(database.PendingChangesError), write_transaction():
        pass
    db.session.rollback()
    assert db.session.get(type(user), user.id).name != "changed outside"  # nothing was committed


def test_write_transaction_refuses_rows_flushed_outside_it(app):
    db.session.add(User(email="flushed@example.org", name="Flushed"))
    db.session.flush()  # on SQLite this already took the write lock without waiting
    with pytest.raises(database.PendingChangesError), write_transaction():
        pass
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.email == "flushed@example.org")) is None


def test_a_nested_write_transaction_joins_the_outer_one(app):
    user = make_user()
    with pytest.raises(RuntimeError), write_transaction():
        db.session.get(User, user.id).name = "outer"
        with write_transaction():  # a service calling a service: no commit of its own
            assert database.in_write_transaction()
            db.session.get(User, user.id).email = "inner@example.org"
        raise RuntimeError("the outer block fails after the inner one ended")
    db.session.rollback()
    reloaded = db.session.get(User, user.id)
    assert reloaded.name != "outer" and reloaded.email != "inner@example.org"  # both rolled back together
    with write_transaction(), write_transaction():
        db.session.get(User, user.id).name = "both"
    db.session.rollback()
    assert db.session.get(User, user.id).name == "both"


def test_views_jobs_and_commands_never_commit():
    """Only congress/database.py begins, commits and rolls back."""
    offenders = []
    for path in sorted((ROOT / "congress").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ("congress/database.py",):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "session.commit()" in line or "session.rollback()" in line:
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_no_view_manage_or_api_module_commits_or_rolls_back():
    """Stricter where requests are answered (views*, manage*, api*, congress/manage, congress/api):
    no ``.commit()``/``.rollback()`` on anything (a session, a connection, a transaction), however written."""
    offenders = []
    for path in sorted((ROOT / "congress").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not (path.stem.startswith(("views", "manage", "api")) or relative.parts[1] in ("manage", "api")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "commit", "rollback"):
                offenders.append(f"{relative.as_posix()}:{node.lineno}: .{node.func.attr}()")
    assert offenders == []


# --- transient errors ------------------------------------------------------------------------------


def _small_timeout_app(app, tmp_path):
    return create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'busy.db'}",
                       "SQLITE_BUSY_TIMEOUT_MS": 50})


@sqlite_only
def test_a_locked_database_is_transient(app, tmp_path):
    try:
        busy = _small_timeout_app(app, tmp_path)
        with busy.app_context():
            db.session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            db.session.commit()
            other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(sa.exc.OperationalError) as caught, write_transaction():
                db.session.execute(sa.text("INSERT INTO t VALUES (1)"))
            other.execute("ROLLBACK")
            assert "database is locked" in str(caught.value)
            assert database.is_transient(caught.value)
            assert not database.is_transient(ValueError("database is locked"))
            db.engine.dispose()
    finally:
        jobs.init_app(app)


@sqlite_only
def test_a_request_that_meets_a_locked_database_gets_503_with_retry_after(app, tmp_path):
    try:
        busy = _small_timeout_app(app, tmp_path)
        with busy.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            make_user("organiser", email="busy@example.org")
        other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # not through the writers' queue: our BEGIN IMMEDIATE times out
        try:
            client = busy.test_client()
            response = client.post("/login", data={"email": "busy@example.org", "password": PASSWORD})
            english = client.post("/login?lang=en", data={"email": "busy@example.org", "password": PASSWORD},
                                  headers={"Accept": "application/json"})
        finally:
            other.execute("ROLLBACK")
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        assert "Probeer het over een paar seconden opnieuw" in response.get_data(as_text=True)
        assert english.status_code == 503
        assert "try again in a few seconds" in english.get_data(as_text=True)
        with busy.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == "busy@example.org"))
            assert user.last_login_at is None  # nothing acknowledged, nothing stored
            db.engine.dispose()
    finally:
        jobs.init_app(app)


@sqlite_only
def test_a_job_that_meets_a_locked_database_runs_again_and_succeeds(app, tmp_path):
    try:
        busy = _small_timeout_app(app, tmp_path)
        with busy.app_context():
            db.session.execute(sa.text("CREATE TABLE job_writes (x INTEGER)"))
            db.session.commit()
        attempts = []

        @jobs.task()
        def write_once() -> int:
            attempts.append(1)
            with write_transaction():
                db.session.execute(sa.text("INSERT INTO job_writes VALUES (1)"))
            return len(attempts)

        other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.5, lambda: other.execute("ROLLBACK")).start()
        with busy.app_context():
            write_once()  # immediate mode: runs here, in this app
            assert db.session.scalar(sa.text("SELECT count(*) FROM job_writes")) == 1
            db.engine.dispose()
        assert len(attempts) >= 2  # it met the lock, and was run again instead of failing for good
    finally:
        jobs.init_app(app)


# --- the hot spots: read, then write, while another process holds the lock -------------------------


@sqlite_only
def test_login_waits_for_another_writer_instead_of_500(app, client):
    make_user("organiser", email="login@example.org")
    with write_lock_held(app):
        started = time.monotonic()
        response = client.post("/login", data={"email": "login@example.org", "password": PASSWORD})
        waited = time.monotonic() - started
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert waited > 0.5  # it queued behind the other writer
    db.session.rollback()
    assert db.session.scalar(sa.select(User.last_login_at).where(User.email == "login@example.org")) is not None


@sqlite_only
def test_ticket_rendering_waits_for_another_writer(app, client):
    congress = open_congress("locked-ticket")
    # No mail (it would render the ticket, and so issue the code, before the request).
    result = registration.register(congress, data(congress, name="Tineke Ticket", email="ticket@example.org"),
                                   [], confirmed=True, notify=False)
    registration_id = result.id or result.registration.id
    with write_lock_held(app):
        response = client.get(f"/my/{result.link}/ticket.pdf")  # issues the badge code on first need
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCode).where(
        IssuedCode.registration_id == registration_id)) == 1


@sqlite_only
def test_a_print_run_waits_for_another_writer(app):
    congress = open_congress("locked-print")
    for n in range(3):
        registered(congress, name=f"Printer {n}", email=f"print{n}@example.org", confirmed=True)
    congress = db.session.get(type(congress), congress.id)
    with write_lock_held(app):
        run = badges.start_print_run(congress, "a6", "everyone")  # the job runs at once in tests
    db.session.rollback()
    run = db.session.get(PrintRun, run.id)
    assert (run.status, run.done, run.error) == ("done", 3, "")
    assert badges.print_run_pdf(run).startswith(b"%PDF")


@sqlite_only
def test_a_cli_command_waits_for_another_writer(app):
    """``flask congress create-user`` for an existing account reads it, hashes, then adds a role."""

    make_user("organiser", email="cli@example.org")
    runner = app.test_cli_runner()
    with write_lock_held(app):
        result = runner.invoke(args=["congress", "create-user", "cli@example.org", "--role", "checkin",
                                     "--password", "another long password"])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    assert "database is locked" not in result.output
    db.session.rollback()
    user = db.session.scalar(sa.select(User).where(User.email == "cli@example.org"))
    assert {"organiser", "checkin"} <= set(user.roles)
