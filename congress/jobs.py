"""Background jobs on Huey: an SQLite file by default (no other server), Redis when configured.

Tasks run inside a fresh application context of the app that configured the queue, so they get
their own database session whether they run in the worker (``flask congress worker``) or, in
tests, immediately in the calling process.

Periodic tasks run **once per period** however many consumers there are (``--processes N``, several
hosts): each consumer's scheduler enqueues them, and the copy that first inserts the row
``(job, period)`` into ``job_periods`` runs; the unique constraint decides, on SQLite and PostgreSQL
alike. ``--processes N`` runs N consumer processes under one supervising parent (:class:`Supervisor`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import signals as huey_signals
from huey.consumer import Consumer
from huey.exceptions import RetryTask
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from congress.database import (
    UTCDateTime,
    insert_unless_exists,
    is_transient,
    retry_transient,
    utcnow,
    write_transaction,
)
from congress.extensions import db, huey

_app: Flask | None = None
# How long a worker starting beside others keeps trying to open the SQLite queue file.
QUEUE_OPEN_SECONDS = 30.0
log = logging.getLogger("congress.jobs")


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


# -- periodic jobs, once per period --------------------------------------------------------------


class JobPeriod(db.Model):
    """A periodic job's run in one period (``2026-12-02T18:05`` for a minute, ``2026-12-02`` for a day):
    the consumer that inserts the row runs the job; every other copy of it in that period does not."""

    __tablename__ = "job_periods"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)


# The period buckets a periodic task may run once in (UTC, as Huey's crontab is evaluated).
PERIODS = {"minute": "%Y-%m-%dT%H:%M", "hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
# Rows of past periods are kept this long (who ran what, for an operator), then pruned by the next claim.
PERIOD_ROWS_KEPT = timedelta(days=7)


def period_key(once: str, when: datetime | None = None) -> str:
    """The period ``when`` (now) falls in, e.g. ``period_key("hour") == "2026-12-02T18"``."""
    return (when or utcnow()).strftime(PERIODS[once])


def claim_period(job: str, period: str) -> bool:
    """Insert ``(job, period)`` in a transaction of its own: True for the one caller whose insert
    succeeded, False for every other (the unique constraint decides, not this process)."""
    now = utcnow()
    with write_transaction():
        # RETURNING says whether this insert made the row (rowcount is not reliable for it on PostgreSQL).
        inserted = db.session.execute(
            insert_unless_exists(JobPeriod, index_elements=["job", "period"]).returning(JobPeriod.id),
            {"job": job, "period": period, "claimed_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()},
        ).scalar() is not None
        if inserted:
            db.session.execute(sa.delete(JobPeriod).where(JobPeriod.job == job,
                                                          JobPeriod.claimed_at < now - PERIOD_ROWS_KEPT))
    return bool(inserted)


def release_period(job: str, period: str) -> None:
    """Give the period back (the run met a transient error and Huey runs it again later)."""
    with write_transaction():
        db.session.execute(sa.delete(JobPeriod).where(JobPeriod.job == job, JobPeriod.period == period))


# -- one log line per job -----------------------------------------------------------------------

_notes = threading.local()


def note(text: str) -> None:
    """Add ``text`` to the log line of the job running in this thread (what it did: "sent=25")."""
    _notes.text = text


def _take_note() -> str:
    text = getattr(_notes, "text", "")
    _notes.text = ""
    return text


_started: dict[str, float] = {}
_OUTCOMES = {huey_signals.SIGNAL_COMPLETE: "ok", huey_signals.SIGNAL_ERROR: "error",
             huey_signals.SIGNAL_RETRYING: "retrying", huey_signals.SIGNAL_LOCKED: "locked",
             huey_signals.SIGNAL_CANCELED: "canceled", huey_signals.SIGNAL_INTERRUPTED: "interrupted",
             huey_signals.SIGNAL_REVOKED: "revoked", huey_signals.SIGNAL_EXPIRED: "expired"}


def _log_job(signal_name: str, task: Any, *args: Any) -> None:
    """Huey's signals, as one line per job: name, id, duration, outcome (and the job's note)."""
    if signal_name == huey_signals.SIGNAL_EXECUTING:
        _started[task.id] = time.perf_counter()
        _take_note()
        return
    started = _started.pop(task.id, None)
    if started is None and signal_name == huey_signals.SIGNAL_RETRYING:
        return  # its error was logged already
    duration = f"{time.perf_counter() - started:.3f}s" if started is not None else "-"
    outcome = _OUTCOMES.get(signal_name, signal_name)
    if signal_name == huey_signals.SIGNAL_ERROR and args:
        outcome = f"error {type(args[0]).__name__}: {str(args[0])[:200]}"
    detail = _take_note()
    log.info("job %s id=%s %s %s%s", task.name, task.id, duration, outcome, f" {detail}" if detail else "")


_job_log_connected = False


def _connect_job_log() -> None:
    global _job_log_connected
    if not _job_log_connected:
        huey.signal(huey_signals.SIGNAL_EXECUTING, *_OUTCOMES)(_log_job)
        _job_log_connected = True


def _in_app_context(fn: Callable[..., Any], *, once: str | None = None, job: str = "") -> Callable[..., Any]:
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

        attempts = app.config.get("JOB_TRANSIENT_ATTEMPTS", 6)
        # A periodic task on a queue (not immediate: then nobody schedules it, a caller runs it now)
        # runs only in the consumer that claims its period.
        period = period_key(once) if once is not None and not huey.immediate else None
        if period is not None:
            def claim() -> bool:
                with app.app_context():
                    return claim_period(job, period)

            try:
                claimed = retry_transient(claim, attempts=attempts, on_retry=log_retry)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                app.logger.warning("job %s: could not claim period %s, skipped: %s", fn.__name__, period, exc)
                note(f"skipped: period {period} not claimed ({type(exc).__name__})")
                return None
            if not claimed:
                note(f"skipped: period {period} ran elsewhere")
                return None

        # A locked/busy database, a serialization failure or a lost connection is not the job's
        # fault: the unit of work runs again here, and if it still meets one, Huey runs the job
        # again later. Never a permanent failure for a transient error.
        try:
            return retry_transient(attempt, attempts=attempts, on_retry=log_retry)
        except Exception as exc:
            if not is_transient(exc):
                raise
            app.logger.warning("job %s: database still unavailable, scheduled again in %d s: %s",
                               fn.__name__, TRANSIENT_REQUEUE_SECONDS, exc)
            if period is not None:
                try:
                    with app.app_context():
                        release_period(job, period)
                except Exception as release_exc:
                    if not is_transient(release_exc):
                        raise
                    app.logger.warning("job %s: period %s not given back: %s", fn.__name__, period, release_exc)
            raise RetryTask(delay=TRANSIENT_REQUEUE_SECONDS) from exc

    return run


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``huey.task`` but the function runs in an application context, and a transient database
    error runs it again (at once a few times, then later through Huey)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.task(**options)(_in_app_context(fn))

    return decorate


def periodic_task(validate_datetime: Callable[..., bool], *, once: str,
                  **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like ``huey.periodic_task``, run once per period ``once`` ("minute", "hour", "day", "week",
    "month", in UTC) whatever the number of consumers and hosts: required, so that no periodic task
    can run once per consumer by mistake. Choose the period the schedule fires in at most once
    (``crontab(minute="*/5")`` → "minute", ``crontab(hour="3", minute="17")`` → "day")."""
    if once not in PERIODS:
        raise ValueError(f"once must be one of {', '.join(PERIODS)}, not {once!r}")

    def decorate(fn: Callable[..., Any]) -> Any:
        job = f"{fn.__module__}.{fn.__name__}"
        return huey.periodic_task(validate_datetime, **options)(_in_app_context(fn, once=once, job=job))

    return decorate


# -- the worker: one consumer, or N under a supervisor --------------------------------------------


class _WorkerConsumer(Consumer):
    """Huey's consumer as a worker process runs it: SIGTERM and SIGINT stop it gracefully (the jobs
    running finish: a mail being handed to the server is not cut off); SIGHUP, which would re-exec the
    command line (``--processes N`` again, inside a child), is ignored."""

    def _set_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._handle_graceful_stop)
        signal.signal(signal.SIGINT, self._handle_graceful_stop)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def _handle_graceful_stop(self, sig_num: int, frame: Any) -> None:
        self._logger.info("Received %s, stopping when the running jobs are done", signal.Signals(sig_num).name)
        self._received_signal = True
        self._restart = False
        self._graceful = True


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    # Our line per job replaces Huey's two ("Executing …", "… executed in …").
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)


def consume(workers: int = 2, periodic: bool = True) -> None:
    """Run one consumer in this process (blocks until SIGTERM/SIGINT)."""
    # Import every module that defines tasks so that the consumer knows them.
    import congress.tasks  # noqa: F401, PLC0415 - imports every capability's tasks, which import this module

    _configure_logging()
    _connect_job_log()
    consumer = _WorkerConsumer(huey, workers=workers, worker_type="thread", periodic=periodic)
    consumer.run()


class Supervisor:
    """N child processes running ``target(slot)``; a child that dies is started again; SIGTERM or
    SIGINT stops them all (SIGTERM to each, SIGKILL after ``stop_seconds``). When children keep
    dying (``max_crashes`` within ``window_seconds``) it stops the others and answers 1."""

    def __init__(self, processes: int, target: Callable[[int], None], *, max_crashes: int = 5,
                 window_seconds: float = 60.0, stop_seconds: float = 30.0,
                 before_fork: Callable[[], None] | None = None, after_fork: Callable[[], None] | None = None) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self.processes = processes
        self.target = target
        self.max_crashes = max_crashes
        self.window_seconds = window_seconds
        self.stop_seconds = stop_seconds
        self.before_fork = before_fork
        self.after_fork = after_fork
        self.children: dict[int, int] = {}  # pid → slot
        self.crashes: list[float] = []
        self._stop_signal: int | None = None

    def _spawn(self, slot: int) -> int:
        if self.before_fork is not None:
            self.before_fork()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                if self.after_fork is not None:
                    self.after_fork()
                self.target(slot)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.children[pid] = slot
        log.info("worker process %d started (pid %d)", slot + 1, pid)
        return pid

    def _on_signal(self, sig_num: int, _frame: Any) -> None:
        self._stop_signal = sig_num

    def run(self) -> int:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for slot in range(self.processes):
                self._spawn(slot)
            code = self._watch()
            self._stop_all()
            return code
        finally:
            for sig_num, handler in previous.items():
                signal.signal(sig_num, handler)

    def _watch(self) -> int:
        while self._stop_signal is None:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, status = 0, 0
            if pid == 0:
                time.sleep(0.1)
                continue
            slot = self.children.pop(pid, None)
            if slot is None:
                continue
            how = (f"was killed by {signal.Signals(-os.waitstatus_to_exitcode(status)).name}"
                   if os.WIFSIGNALED(status) else f"exited with {os.waitstatus_to_exitcode(status)}")
            now = time.monotonic()
            self.crashes = [t for t in self.crashes if now - t < self.window_seconds] + [now]
            if len(self.crashes) >= self.max_crashes:
                log.error("worker process %d (pid %d) %s; %d crashes within %g s: stopping", slot + 1, pid, how,
                          len(self.crashes), self.window_seconds)
                return 1
            log.warning("worker process %d (pid %d) %s; starting it again", slot + 1, pid, how)
            # A child that dies at once again and again is not restarted in a tight loop.
            time.sleep(min(0.2 * 2 ** (len(self.crashes) - 1), 5.0))
            if self._stop_signal is None:
                self._spawn(slot)
        log.info("received %s: stopping %d worker processes", signal.Signals(self._stop_signal).name,
                 len(self.children))
        return 0

    def _stop_all(self) -> None:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_seconds
        while self.children and time.monotonic() < deadline:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                break
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.05)
        for pid in list(self.children):
            log.warning("worker pid %d did not stop within %g s: killed", pid, self.stop_seconds)
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.children.clear()


def _fresh_connections_in_child() -> None:
    """After fork: the child opens its own database connections and queue storage."""
    db.engine.dispose(close=False)
    huey.storage = huey.create_storage()


def run_worker(workers: int = 2, periodic: bool = True, processes: int = 1) -> int:
    """Run the consumer: in this process, or ``processes`` consumer processes of ``workers`` threads
    each under a supervising parent. Returns the exit code (blocks until SIGINT/SIGTERM)."""
    if processes <= 1:
        consume(workers=workers, periodic=periodic)
        return 0
    import congress.tasks  # noqa: F401, PLC0415 - loaded once in the parent, shared by the children

    _configure_logging()
    log.info("starting %d worker processes of %d threads", processes, workers)
    supervisor = Supervisor(processes, lambda _slot: consume(workers=workers, periodic=periodic),
                            before_fork=db.engine.dispose, after_fork=_fresh_connections_in_child)
    return supervisor.run()
