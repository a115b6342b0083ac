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
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator

from congress.extensions import db

_immediate = contextvars.ContextVar("sqlite_begin_immediate", default=False)
# The writers' queue file this context holds (SQLite), released when its write transaction ends.
_held_queue = contextvars.ContextVar("sqlite_writer_queue", default=None)


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


@contextlib.contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in one transaction that holds the write lock from its start, then commit.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE`` so that two writers never read the
    same count; on PostgreSQL combine it with :func:`lock_for_update` on the guarding row.
    ``keep_loaded``: what the caller read before (and has not changed) stays loaded instead of being
    read again; for callers that read counts inside the block and only settings before it.
    """
    session = db.session()
    if session.in_transaction():
        # A write transaction must begin with its lock; what the caller had pending commits first.
        unchanged = not (session.new or session.dirty or session.deleted)
        if keep_loaded and unchanged and db.engine.dialect.name == "postgresql":
            # Row locks (FOR UPDATE) guard the counts there, and each statement reads what is
            # committed: the caller's reads can go on in the same transaction.
            pass
        elif keep_loaded and unchanged:
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(token)
        _leave_writer_queue()


def lock_for_update(stmt: Any) -> Any:
    """Add ``FOR UPDATE`` where the database has row locks (SQLite locks the whole file)."""
    if db.engine.dialect.name == "sqlite":
        return stmt
    return stmt.with_for_update()


def insert_unless_exists(model: Any, *, index_elements: list[str], index_where: Any = None) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, values bound when executed: the
    unique index decides in one statement, without an exception to catch and a transaction to redo."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model.__table__).on_conflict_do_nothing(index_elements=index_elements, index_where=index_where)
