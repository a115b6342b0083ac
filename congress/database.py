"""Database plumbing shared by every capability: UTC timestamps, SQLite pragmas and write locks.

Capacity and exactly-once rules are enforced by the database, never in Python memory; this module
gives services one way to open a transaction that holds the write lock from its first statement:
``BEGIN IMMEDIATE`` on SQLite, and ``SELECT … FOR UPDATE`` (through :func:`lock_for_update`)
on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import functools
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator

from congress.extensions import db

_immediate = contextvars.ContextVar("sqlite_begin_immediate", default=False)
# The writers' queue file this context holds (SQLite), released when its write transaction ends.
_held_queue = contextvars.ContextVar("sqlite_writer_queue", default=None)
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and transactions we begin ourselves."""
    if engine.dialect.name != "sqlite":
        return

    on_disk = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN, so that we can choose BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            record.info["writer_queue"] = _open_writer_queue(engine.url.database)
        cursor.close()

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, record: Any) -> None:
        queue = record.info.pop("writer_queue", None)
        if queue is not None and queue[0] == os.getpid():
            os.close(queue[1])

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not _immediate.get():
            connection.exec_driver_sql("BEGIN")
            return
        # Writers wait in the kernel for a lock file, and the next one wakes the moment the last
        # one ends. SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries instead, which
        # under a rush leaves the database idle while writers sleep. The file lock comes first and
        # is the same for every process and thread; BEGIN IMMEDIATE stays the guarantee.
        info = connection.connection.info
        queue = info.get("writer_queue")
        if queue is not None and queue[0] != os.getpid():
            # A connection inherited across fork shares the parent's open file: open our own.
            queue = info["writer_queue"] = _open_writer_queue(engine.url.database)
        if queue is not None and _held_queue.get() is None:
            fcntl.flock(queue[1], fcntl.LOCK_EX)
            _held_queue.set(queue[1])
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _open_writer_queue(database: str) -> tuple[int, int]:
    return os.getpid(), os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600)


@event.listens_for(OrmSession, "after_commit", insert=True)
def _leave_writer_queue(_session: OrmSession | None = None) -> None:
    """Right after the commit, before other after-commit work (handing mail to the worker)."""
    queue = _held_queue.get()
    if queue is not None:
        _held_queue.set(None)
        with contextlib.suppress(OSError):
            fcntl.flock(queue, fcntl.LOCK_UN)


class PendingChangesError(RuntimeError):
    """A programming error: changes were made outside a write transaction and would be committed
    by whoever opened the next one. Make them inside ``write_transaction()`` (in a service)."""


# Set on the session when something was written (flushed or executed) outside a write transaction.
_WRITTEN_OUTSIDE = "congress_written_outside_write_transaction"


@event.listens_for(OrmSession, "after_flush")
def _note_flush_outside(session: OrmSession, _flush_context: Any) -> None:
    if not _immediate.get():
        session.info[_WRITTEN_OUTSIDE] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_dml_outside(state: Any) -> None:
    if not _immediate.get() and (state.is_insert or state.is_update or state.is_delete):
        state.session.info[_WRITTEN_OUTSIDE] = True


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _forget_written_outside(session: OrmSession) -> None:
    session.info.pop(_WRITTEN_OUTSIDE, None)


def pending_changes(session: OrmSession) -> bool:
    """True when the session holds changes that are not committed: new, changed or deleted objects,
    or rows already flushed or written outside a write transaction."""
    return bool(session.new or session.deleted or session.info.get(_WRITTEN_OUTSIDE)
                or any(session.is_modified(obj) for obj in session.dirty))


def in_write_transaction() -> bool:
    return _immediate.get()


@contextlib.contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one transaction that holds the write lock from its start, then commit.

    The one way to write, for requests, jobs and CLI commands alike. On SQLite the transaction
    begins with ``BEGIN IMMEDIATE`` (through the writers' queue), so a block that reads and then
    writes never meets "database is locked": it waits for the lock before its first read. On
    PostgreSQL combine it with :func:`lock_for_update` on the guarding row.

    Nested use joins the outer transaction (a service calling another service): the inner block
    neither begins nor commits, and an exception in it rolls back the outer one.

    It refuses to begin (:class:`PendingChangesError`) when the session has changes made outside a
    write transaction: they would be committed without the lock, or silently with this block.
    A read-only transaction open before it is ended first (it would hold an old snapshot).

    ``keep_loaded``: what the caller read before (and has not changed) stays loaded instead of being
    read again; for callers that read counts inside the block and only settings before it.
    """
    if _immediate.get():
        yield
        return
    session = db.session()
    if pending_changes(session):
        raise PendingChangesError(
            "the session has changes made outside write_transaction(); make them inside it")
    if session.in_transaction():
        if keep_loaded and db.engine.dialect.name == "postgresql":
            # Row locks (FOR UPDATE) guard the counts there, and each statement reads what is
            # committed: the caller's reads can go on in the same transaction.
            pass
        elif keep_loaded:
            expire, session.expire_on_commit = session.expire_on_commit, False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire
        else:
            session.commit()
    token = _immediate.set(True)
    try:
        yield
        session.flush()
    except BaseException:
        _immediate.reset(token)
        try:
            session.rollback()
        finally:
            _leave_writer_queue()
        raise
    # What runs after the commit (handing mail to the worker, which in tests delivers at once in a
    # session of its own) opens write transactions of its own: it is not a nested block of this one.
    _immediate.reset(token)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _leave_writer_queue()


def transactional(fn: Callable[..., T]) -> Callable[..., T]:
    """A service function that runs in :func:`write_transaction` (joining one already open)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> T:
        with write_transaction():
            return fn(*args, **kwargs)

    return run


def end_transaction() -> None:
    """Drop what the session holds (after an error, in the error handlers): nothing is committed."""
    db.session.rollback()


# --- transient errors -------------------------------------------------------------------------

# SQLSTATEs of PostgreSQL that mean "try again": serialization failure, deadlock, lock not available,
# and the classes of a lost connection or a server going down (08…, 57P01-57P03).
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03"}


def is_transient(exc: BaseException) -> bool:
    """A database error that says nothing about the data: the same work may succeed when tried
    again (SQLite locked or busy, PostgreSQL serialization failure or deadlock, lost connection)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sa_exc.DBAPIError):
            if exc.connection_invalidated:
                return True
            orig = exc.orig
            sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
            if sqlstate and (sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08")):
                return True
            message = str(orig).lower()
            if isinstance(exc, sa_exc.OperationalError) and (
                "database is locked" in message or "database table is locked" in message
                or "database is busy" in message or "server closed the connection" in message
                or "connection" in message and ("lost" in message or "refused" in message
                                                or "terminat" in message)
            ):
                return True
        elif isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def retry_transient(fn: Callable[[], T], *, attempts: int = 6, first_delay: float = 0.2,
                    on_retry: Callable[[BaseException, int], None] | None = None) -> T:
    """Run ``fn`` (one unit of work, with its own transactions); on a transient database error
    run it again after a growing pause (0.2, 0.4, 0.8 … s), at most ``attempts`` times."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            with contextlib.suppress(Exception):
                db.session.rollback()
            if on_retry is not None:
                on_retry(exc, attempt)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


def lock_for_update(stmt: Any) -> Any:
    """Add ``FOR UPDATE`` where the database has row locks (SQLite locks the whole file)."""
    if db.engine.dialect.name == "sqlite":
        return stmt
    return stmt.with_for_update()


def insert_unless_exists(model: Any, *, index_elements: list[str], index_where: Any = None) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, values bound when executed: the
    unique index decides in one statement, without an exception to catch and a transaction to redo."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model.__table__).on_conflict_do_nothing(index_elements=index_elements, index_where=index_where)
