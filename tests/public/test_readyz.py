"""/readyz for load balancers: 200 when the database, the job queue and the storage answer, 503 naming
the one that does not — and 200 again once it is back (issue 20's acceptance: a real PostgreSQL server
stopped and started)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from congress import create_app
from congress.extensions import db, huey
from tests.support import ROOT

_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin")) if Path("/usr/lib/postgresql").exists() else []
PGBIN = _BINS[-1] if _BINS else None


def test_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok", "storage": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_queue_that_does_not_answer_is_named(client, monkeypatch):
    def broken():
        raise OSError("disk I/O error at /secret/path")

    monkeypatch.setattr(huey.storage, "queue_size", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "queue": "unavailable", "storage": "ok"}
    assert "/secret/path" not in response.get_data(as_text=True)  # what failed, never how


def test_storage_that_cannot_be_written_is_named(app, client, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setitem(app.config, "ARCHIVE_UPLOAD_DIR", str(blocker / "uploads"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "unavailable"


def _pg(*args: str, directory: Path) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(directory / "data"), *args],
                   check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(PGBIN is None or os.geteuid() != 0, reason="needs PostgreSQL's server binaries, run as root")
def test_503_while_postgresql_is_stopped_and_200_when_it_is_back(app, restore_extensions):
    directory = Path(f"/tmp/congress-readyz-{os.getpid()}")  # the postgres user cannot enter pytest's tmp_path
    env = {**os.environ, "PG_TEST_DIR": str(directory), "PG_TEST_PORT": str(55000 + os.getpid() % 900)}
    url = subprocess.run([str(ROOT / "scripts" / "pg_test_server.sh"), "start"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
    port = url.rsplit(":", 1)[1].split("/")[0]
    server = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    client = server.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        _pg("-m", "fast", "stop", directory=directory)
        stopped = client.get("/readyz")
        assert stopped.status_code == 503
        assert stopped.get_json()["checks"] == {"database": "unavailable", "queue": "ok", "storage": "ok"}
        assert client.get("/readyz").status_code == 503  # still down: still 503, never a 500
        _pg("-l", str(directory / "server.log"), "-w", "-o",
            f"-p {port} -k {directory / 'socket'} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
            directory=directory)
        back = client.get("/readyz")
        assert back.status_code == 200, back.get_json()
        assert back.get_json()["status"] == "ready"
    finally:
        with server.app_context():
            db.session.remove()
            db.engine.dispose()
        subprocess.run([str(ROOT / "scripts" / "pg_test_server.sh"), "stop"], cwd=ROOT, env=env, check=False,
                       timeout=60)
        shutil.rmtree(directory, ignore_errors=True)
