"""Background jobs on Huey: an SQLite file by default (no other server), Redis when configured.

Tasks run inside a fresh application context of the app that configured the queue, so they get
their own database session whether they run in the worker (``flask congress worker``) or, in
tests, immediately in the calling process.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey.exceptions import RetryTask
from huey.storage import RedisStorage, SqliteStorage

from congress.database import is_transient, retry_transient
from congress.extensions import huey

_app: Flask | None = None
# How long a worker starting beside others keeps trying to open the SQLite queue file.
QUEUE_OPEN_SECONDS = 30.0


class QueueFile(SqliteStorage):
    """Huey's SQLite storage, opened patiently.

    Opening sets ``journal_mode=wal``; while another process is switching the same new file to WAL
    (two workers started together), SQLite answers "database is locked" at once, without waiting
    on its busy timeout. Opening is tried again here until the other process is done.
    """

    def _create_connection(self) -> sqlite3.Connection:
        deadline = time.monotonic() + QUEUE_OPEN_SECONDS
        pause = 0.01
        while True:
            try:
                return super()._create_connection()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.25)

# After the in-process attempts, a job that still meets a transient error runs again this much later.
TRANSIENT_REQUEUE_SECONDS = 30


def init_app(app: Flask) -> None:
    global _app
    _app = app
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": redis_url}
    else:
        path = Path(app.config["HUEY_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class = QueueFile
        huey.storage_kwargs = {"filename": str(path)}
    huey._immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    huey.storage = huey.create_storage()


def _in_app_context(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        # Immediate mode (tests) runs in the caller's app; the worker in the app that configured it.
        app = current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined]
        if app is None:
            raise RuntimeError("the task queue was used before create_app() configured it")

        def attempt() -> Any:
            # Each attempt in a fresh application context, so a fresh session and connection.
            with app.app_context():
                return fn(*args, **kwargs)

        def log_retry(exc: BaseException, attempt_number: int) -> None:
            app.logger.warning("job %s: transient database error (attempt %d), trying again: %s",
                               fn.__name__, attempt_number, exc)

        # A locked/busy database, a serialization failure or a lost connection is not the job's
        # fault: the unit of work runs again here, and if it still meets one, Huey runs the job
        # again later. Never a permanent failure for a transient error.
        try:
            return retry_transient(attempt, attempts=app.config.get("JOB_TRANSIENT_ATTEMPTS", 6),
                                   on_retry=log_retry)
        except Exception as exc:
            if not is_transient(exc):
                raise
            app.logger.warning("job %s: database still unavailable, scheduled again in %d s: %s",
                               fn.__name__, TRANSIENT_REQUEUE_SECONDS, exc)
            raise RetryTask(delay=TRANSIENT_REQUEUE_SECONDS) from exc

    return run


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``huey.task`` but the function runs in an application context, and a transient database
    error runs it again (at once a few times, then later through Huey)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.task(**options)(_in_app_context(fn))

    return decorate


def periodic_task(validate_datetime: Callable[..., bool], **options: Any) -> Callable[[Callable[..., Any]], Any]:
    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.periodic_task(validate_datetime, **options)(_in_app_context(fn))

    return decorate


def run_worker(workers: int = 2, periodic: bool = True) -> None:
    """Run the consumer in this process (blocks until SIGINT/SIGTERM)."""
    # Import every module that defines tasks so that the consumer knows them.
    import congress.tasks  # noqa: F401, PLC0415 - imports every capability's tasks, which import this module

    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.run()
