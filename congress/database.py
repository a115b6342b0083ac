"""Database plumbing shared by every capability: UTC timestamps, SQLite pragmas and write locks.

Capacity and exactly-once rules are enforced by the database, never in Python memory; this module
gives services one way to open a transaction that holds the write lock from its first statement:
``BEGIN IMMEDIATE`` on SQLite, and ``SELECT … FOR UPDATE`` (through :func:`lock_for_update`)
on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from congress.extensions import db

_immediate = contextvars.ContextVar("sqlite_begin_immediate", default=False)


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

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN, so that we can choose BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in one transaction that holds the write lock from its start, then commit.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE`` so that two writers never read the
    same count; on PostgreSQL combine it with :func:`lock_for_update` on the guarding row.
    """
    session = db.session()
    if session.in_transaction():
        # A write transaction must begin with its lock; what the caller had pending commits first.
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


def lock_for_update(stmt: Any) -> Any:
    """Add ``FOR UPDATE`` where the database has row locks (SQLite locks the whole file)."""
    if db.engine.dialect.name == "sqlite":
        return stmt
    return stmt.with_for_update()


def insert_unless_exists(model: Any, values: dict[str, Any], *, index_elements: list[str],
                         index_where: Any = None) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL: the unique index decides in one
    statement, without an exception to catch and a rolled-back transaction to redo."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model.__table__).values(**values).on_conflict_do_nothing(
        index_elements=index_elements, index_where=index_where)
