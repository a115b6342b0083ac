"""Storage that refuses writes: a full disk or database answers 503 and stores nothing, a stored
registration is acknowledged as stored, and a read-only data directory stops the start with one line."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from congress.errors import storage_refused
from congress.extensions import db
from congress.mail import tasks
from congress.mail.models import OutboxMessage
from congress.registration.models import Registration
from tests.conftest import ROOT
from tests.registration.factories import form_data, open_congress
from tests.registration.test_api import body, token


@contextlib.contextmanager
def full_database() -> Iterator[None]:
    """SQLite: every connection may not grow the file (``PRAGMA max_page_count``, SQLITE_FULL) once
    the free pages are used up. PostgreSQL: a trigger raises disk_full (SQLSTATE 53100, psycopg's
    ``errors.DiskFull``) on every new registration."""
    engine = db.engine
    db.session.remove()
    engine.dispose()
    if engine.dialect.name == "sqlite":
        plain = sqlite3.connect(engine.url.database, isolation_level=None)
        plain.execute("VACUUM")  # no free pages left to fill
        plain.close()

        def limit(dbapi_connection, _record) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        sa.event.listen(engine, "connect", limit)
        try:
            yield
        finally:
            sa.event.remove(engine, "connect", limit)
            db.session.remove()
            engine.dispose()
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$")
        conn.exec_driver_sql("CREATE TRIGGER test_disk_full BEFORE INSERT ON registrations "
                             "FOR EACH ROW EXECUTE FUNCTION test_disk_full()")
    try:
        yield
    finally:
        db.session.remove()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER test_disk_full ON registrations")
            conn.exec_driver_sql("DROP FUNCTION test_disk_full()")


def _stored(email: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.email == email)) == 1


def test_a_full_database_answers_503_and_what_was_acknowledged_is_what_was_stored(app, client):
    congress = open_congress()
    headers = token()
    slug, form = congress.slug, form_data(congress, 9999)
    db.session.commit()
    answers: list[tuple[str, int]] = []
    with full_database():
        for n in range(300):
            email = f"full{n}@example.org"
            response = client.post(f"/api/v1/congresses/{slug}/registrations?lang=en",
                                   json=body(email=email), headers=headers)
            answers.append((email, response.status_code))
            if response.status_code == 503:
                refused = response
                break
        else:
            pytest.fail("the database never filled up")
        assert refused.get_json()["error"]["message"].startswith("The server cannot store anything right now")
        assert refused.headers["Retry-After"]
        page = app.test_client().post(f"/{slug}/register", data=form)  # Dutch, the default
        assert page.status_code == 503
        assert "Wat u hebt verstuurd, is niet bewaard" in page.get_data(as_text=True)
    # Every answer told the truth: 201 stored, 503 not stored (none of the old "500 but stored").
    assert {code for _, code in answers} <= {201, 503}
    for email, code in answers:
        assert _stored(email) == (code == 201), (email, code)
    assert not _stored("form9999@example.org")
    # Space again: the refused client retries and is registered (not "already registered").
    retry = client.post(f"/api/v1/congresses/{slug}/registrations", json=body(email=answers[-1][0]),
                        headers=headers)
    assert retry.status_code == 201, retry.get_json()


def test_a_stored_registration_is_acknowledged_when_the_job_queue_cannot_take_its_mail(app, client, monkeypatch):
    """The outbox row is committed with the registration; handing it to the worker afterwards can fail
    (the queue's own SQLite file on a full disk). The answer is the registration's, and the
    worker's minutely sweep sends the mail."""
    def queue_on_a_full_disk(message_id: int) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(tasks, "deliver_mail", queue_on_a_full_disk)
    congress = open_congress()
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 1))
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/thanks")
    assert _stored("form1@example.org")
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "queued"


def test_the_storage_errors_are_recognised_and_bugs_are_not():
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert storage_refused(OperationalError("INSERT", {}, full))
    assert storage_refused(OSError(errno.ENOSPC, "No space left on device"))
    assert storage_refused(OSError(errno.EROFS, "Read-only file system"))
    assert not storage_refused(OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: x")))
    assert not storage_refused(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE")))
    assert not storage_refused(ValueError("a bug"))


@contextlib.contextmanager
def read_only(directory) -> Iterator[None]:
    """A read-only bind mount: root ignores mode bits, not a read-only file system."""
    directory.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("needs a read-only bind mount (root)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True, capture_output=True)


def test_a_read_only_data_directory_stops_the_start_with_one_line_naming_it(tmp_path):
    data = tmp_path / "instance"
    with read_only(data):
        env = {"PATH": os.environ["PATH"], "CONGRESS_INSTANCE_DIR": str(data)}
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "congress", "--help"], env=env,
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(data) in lines[0] and "not writable" in lines[0], result.stderr
