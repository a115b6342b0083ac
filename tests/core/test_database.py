"""SQLite writers queue on a lock file: a rush waits in the kernel, not in SQLite's sleeping busy handler."""

from __future__ import annotations

import os
import threading
import time

import pytest
import sqlalchemy as sa

from congress import create_app, jobs
from congress.database import write_transaction
from congress.extensions import db

pytestmark = pytest.mark.skipif((os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
                                reason="the writers' queue is SQLite's")


def test_a_second_writer_waits_for_the_first_instead_of_failing(app, tmp_path):
    try:
        _second_writer_waits(tmp_path, app.config)
    finally:
        jobs.init_app(app)  # the session's app configures the task queue again


def _second_writer_waits(tmp_path, config) -> None:
    # A busy timeout far shorter than the first writer's transaction: without the queue, the second
    # writer's BEGIN IMMEDIATE gives up with "database is locked".
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'queue.db'}",
                      "SQLITE_BUSY_TIMEOUT_MS": 20})
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE writes (who TEXT, at REAL)"))
        db.session.commit()
    holding = threading.Event()
    errors: list[BaseException] = []
    waited: list[float] = []

    def first() -> None:
        with app.app_context(), write_transaction():
            db.session.execute(sa.text("INSERT INTO writes VALUES ('first', 0)"))
            holding.set()
            time.sleep(0.3)

    def second() -> None:
        holding.wait(5)
        started = time.perf_counter()
        try:
            with app.app_context(), write_transaction():
                db.session.execute(sa.text("INSERT INTO writes VALUES ('second', 0)"))
        except BaseException as exc:
            errors.append(exc)
        waited.append(time.perf_counter() - started)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert waited[0] >= 0.15  # it queued behind the first writer
    with app.app_context():
        written = db.session.execute(sa.text("SELECT who FROM writes ORDER BY rowid")).scalars().all()
        assert written == ["first", "second"]
        db.engine.dispose()
