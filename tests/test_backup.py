"""Backups that restore (`congress backup DIR` / `congress restore DIR`), on SQLite and PostgreSQL.

A backup taken while writers are running is one consistent snapshot; restored into a fresh
instance (another database, another instance folder, through the real CLI in its own process) it
gives the same rows and the same files. A damaged backup is refused and the current data stays as
it was; a database that holds data is only overwritten with ``--force``. The PostgreSQL commands
in docs/deploy.md run exactly as written against the throw-away server.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from congress.extensions import db
from tests.factories import make_congress, make_user

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5


@pytest.fixture
def file_roots(app, tmp_path, monkeypatch):
    """The app's upload folders and instance folder in this test's temporary folder, with files."""
    roots = {"uploads": tmp_path / "live" / "uploads", "cfp": tmp_path / "live" / "cfp",
             "badges": tmp_path / "live" / "instance" / "badges"}
    monkeypatch.setitem(app.config, "ARCHIVE_UPLOAD_DIR", str(roots["uploads"]))
    monkeypatch.setitem(app.config, "CFP_UPLOAD_DIR", str(roots["cfp"]))
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "live" / "instance"))
    contents = {
        "uploads/3f/3fa9c0.pdf": b"%PDF-1.7 verslag\x00\xff",
        "cfp/photos/sanne.jpg": b"\xff\xd8\xff\xe0 foto",
        "cfp/slides/sessie-4.pdf": os.urandom(70_000),
        "badges/run-7.pdf": b"%PDF-1.7 badges",
    }
    for name, data in contents.items():
        root, rest = name.split("/", 1)
        path = roots[root] / rest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return roots, contents


def _rows(engine: sa.Engine, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table of the application, in primary-key order."""
    found = set(sa.inspect(engine).get_table_names())
    rows = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in skip or table.name not in found:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return rows


def _batches(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            "SELECT name, count(*) FROM users WHERE name LIKE 'batch-%' GROUP BY name")).all())


class Writers:
    """Threads with their own connections that each commit batches of BATCH users, as other
    processes would while the backup runs."""

    def __init__(self, url: str, threads: int = 2) -> None:
        self.engine = sa.create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {})
        self.stop = threading.Event()
        self.committed = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, number: int) -> None:
        i = 0
        while not self.stop.is_set():
            batch = f"batch-{number}-{i}"
            now = datetime.now(UTC).replace(tzinfo=None)
            try:
                with self.engine.begin() as conn:
                    for k in range(BATCH):
                        conn.execute(sa.text(
                            "INSERT INTO users (email, name, active, created_at) VALUES (:e, :n, :a, :c)"),
                            {"e": f"{batch}-{k}@example.org", "n": batch, "a": True, "c": now})
                        time.sleep(0.001)  # keep the transaction open across statements
                with self.lock:
                    self.committed += 1
            except sa.exc.OperationalError as exc:
                self.errors.append(str(exc))
            i += 1

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        deadline = time.monotonic() + 30
        while self.committed < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.engine.dispose()


def _fresh_database(app) -> tuple[str, callable]:
    """An empty database of the same kind as the test database, and how to drop it."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        path = Path(url.database).with_name(f"restored-{uuid.uuid4().hex[:8]}.db")
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]
    name = f"restored_{uuid.uuid4().hex[:8]}"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "congress", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _seed() -> None:
    make_congress("backup-test")
    make_user("organiser", email="olga@example.org", name="Olga Organisator")
    db.session.commit()


@pytest.mark.slow
def test_backup_during_writes_restores_the_same_rows_and_files_in_a_fresh_instance(app, runner, file_roots,
                                                                                     tmp_path):
    roots, contents = file_roots
    _seed()
    target = tmp_path / "backup"
    with Writers(app.config["SQLALCHEMY_DATABASE_URI"]) as writers:
        before = writers.committed
        result = runner.invoke(args=["congress", "backup", str(target)])
        during = writers.committed - before
    assert result.exit_code == 0, result.output
    assert writers.errors == []
    assert during > 0, "the writers committed nothing while the backup ran: nothing was tested"

    # Mode 0700 for every folder and 0600 for every file: it holds password hashes and keys.
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for path in target.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    manifest = (target / "manifest.json").read_text()
    for name, data in contents.items():
        assert hashlib.sha256(data).hexdigest() in manifest, name

    # Restore into a fresh instance: another database and instance folder, the CLI in its own process.
    fresh_url, drop = _fresh_database(app)
    fresh = tmp_path / "fresh"
    env = {key: value for key, value in os.environ.items()
           if key not in {"ARCHIVE_UPLOAD_DIR", "CFP_UPLOAD_DIR", "TEST_DATABASE_URL"}}
    env.update(DATABASE_URL=fresh_url, CONGRESS_INSTANCE_DIR=str(fresh), HUEY_SQLITE_PATH=str(fresh / "huey.db"))
    try:
        restored = _cli(["restore", str(target)], env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        fresh_engine = sa.create_engine(fresh_url)
        try:
            # Consistent: every batch a writer committed is there whole or not at all.
            restored_batches = _batches(fresh_engine)
            live_batches = _batches(db.engine)
            assert restored_batches and set(restored_batches.values()) == {BATCH}
            assert set(restored_batches) <= set(live_batches)
            assert len(live_batches) > len(restored_batches)  # the writers went on after the snapshot
            # The same rows: everything but the writers' users equal, table by table.
            batch_rows = lambda rows: [r for r in rows if not str(r[2]).startswith("batch-")]  # noqa: E731
            live, copy = _rows(db.engine), _rows(fresh_engine)
            assert live.keys() == copy.keys()
            for table in live:
                if table == "users":
                    assert batch_rows(copy[table]) == batch_rows(live[table])
                else:
                    assert copy[table] == live[table], table
        finally:
            fresh_engine.dispose()
    finally:
        drop()
    # The same files, where the fresh instance keeps them.
    for name, data in contents.items():
        root, rest = name.split("/", 1)
        folder = fresh / {"uploads": "uploads", "cfp": "cfp", "badges": "badges"}[root]
        assert (folder / rest).read_bytes() == data, name


def test_restore_refuses_a_damaged_backup_and_leaves_the_data_untouched(app, runner, file_roots, tmp_path):
    roots, contents = file_roots
    _seed()
    target = tmp_path / "backup"
    assert runner.invoke(args=["congress", "backup", str(target)]).exit_code == 0
    rows_before = _rows(db.engine)
    # Change the data after the backup, so that a restore would be visible.
    make_user("admin", email="later@example.org")
    db.session.commit()
    (roots["badges"] / "run-8.pdf").write_bytes(b"later")
    rows_before = _rows(db.engine)

    slide = target / "files" / "cfp" / "slides" / "sessie-4.pdf"
    damaged = bytearray(slide.read_bytes())
    damaged[1000] ^= 0xFF
    slide.write_bytes(bytes(damaged))
    result = runner.invoke(args=["congress", "restore", "--force", str(target)])
    assert result.exit_code == 1
    assert "damaged" in result.output and "files/cfp/slides/sessie-4.pdf" in result.output
    assert "Traceback" not in result.output
    db.session.remove()
    assert _rows(db.engine) == rows_before
    assert (roots["badges"] / "run-8.pdf").read_bytes() == b"later"

    # A missing file and a file the manifest does not know are refused too.
    slide.unlink()
    result = runner.invoke(args=["congress", "restore", "--force", str(target)])
    assert result.exit_code == 1 and "sessie-4.pdf: missing" in result.output
    (target / "manifest.json").unlink()
    result = runner.invoke(args=["congress", "restore", "--force", str(target)])
    assert result.exit_code == 1 and "is not a backup" in result.output
    assert _rows(db.engine) == rows_before


def test_restore_overwrites_data_only_with_force(app, runner, file_roots, tmp_path):
    roots, contents = file_roots
    _seed()
    target = tmp_path / "backup"
    assert runner.invoke(args=["congress", "backup", str(target)]).exit_code == 0
    snapshot = _rows(db.engine)
    make_user("admin", email="later@example.org")
    db.session.commit()
    (roots["uploads"] / "3f" / "3fa9c0.pdf").write_bytes(b"overwritten")
    (roots["badges"] / "run-8.pdf").write_bytes(b"later")

    refused = runner.invoke(args=["congress", "restore", str(target)])
    assert refused.exit_code == 1
    assert "refusing to overwrite" in refused.output and "--force" in refused.output
    db.session.remove()
    assert len(_rows(db.engine)["users"]) == len(snapshot["users"]) + 1

    forced = runner.invoke(args=["congress", "restore", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    assert _rows(db.engine) == snapshot
    assert (roots["uploads"] / "3f" / "3fa9c0.pdf").read_bytes() == contents["uploads/3f/3fa9c0.pdf"]
    assert not (roots["badges"] / "run-8.pdf").exists()
    assert sorted(p.name for p in roots["badges"].parent.iterdir() if p.name.startswith(".")) == []


def test_backup_refuses_a_folder_that_holds_files(app, runner, file_roots, tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    (target / "other.txt").write_text("x")
    result = runner.invoke(args=["congress", "backup", str(target)])
    assert result.exit_code == 1 and "not an empty folder" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["other.txt"]


# --- the documented PostgreSQL round trip -----------------------------------------------------------

def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end == -1 else text[start:end]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_documented_pg_dump_and_restore_commands_work_as_written(app, tmp_path):
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass of make test (TEST_DATABASE_URL)")
    doc = (ROOT / "docs" / "deploy.md").read_text()
    role_sql = _blocks(_section(doc, "## 2. PostgreSQL"), "sql")[0]
    manual = _section(doc, "### PostgreSQL by hand")
    settings, *commands = _blocks(manual, "sh")
    # The settings block names the connection as DATABASE_URL does; the test gives its own values.
    assert set(re.findall(r"\b(PG[A-Z]+|BACKUP_DIR)=", settings)) == {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD",
                                                                     "BACKUP_DIR"}
    assert any("pg_dump" in c for c in commands) and any("createdb" in c for c in commands)
    assert any("pg_restore" in c for c in commands)

    admin = sa.create_engine(url.set(database="postgres")).connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        for statement in filter(str.strip, role_sql.replace("'...'", "'a test password'").split(";")):
            admin.exec_driver_sql(statement)
        owner = sa.create_engine(url.set(database="congres", username="congres", password="a test password"))
        with owner.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE aanmelding (id serial PRIMARY KEY, naam text NOT NULL)")
            conn.exec_driver_sql("INSERT INTO aanmelding (naam) VALUES ('Anne'), ('Bram'), ('Ceés')")
        owner.dispose()
        backup_dir = tmp_path / "backups"
        backup_dir.mkdir()
        env = {**os.environ, "PGHOST": url.host, "PGPORT": str(url.port), "PGUSER": "congres",
               "PGPASSWORD": "a test password", "BACKUP_DIR": str(backup_dir)}
        env.pop("PGDATABASE", None)
        for command in commands:
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], env=env, capture_output=True,
                                  text=True, timeout=120, check=False)
            assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        restored = sa.create_engine(url.set(database="congres_restore"))
        with restored.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql("SELECT naam FROM aanmelding ORDER BY id")] == [
                "Anne", "Bram", "Ceés"]
            assert conn.exec_driver_sql(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'aanmelding'").scalar() == "congres"
        restored.dispose()
    finally:
        for statement in ("DROP DATABASE IF EXISTS congres_restore WITH (FORCE)",
                          "DROP DATABASE IF EXISTS congres WITH (FORCE)", "DROP ROLE IF EXISTS congres"):
            admin.exec_driver_sql(statement)
        admin.close()
