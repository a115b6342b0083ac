"""Readiness for load balancers and container platforms (``/readyz``): can this instance serve?

``/healthz`` says the process answers (and reads the database once); ``/readyz`` checks each thing a
request or a job needs and says which one is missing, with 503 until all are back:

* ``database``: ``SELECT 1`` on a pooled connection (a connection the database dropped is replaced by
  the pool's pre-ping, so the first check after a restart already sees the database again);
* ``queue``: the job queue's storage answers (Redis ``PING``, or the SQLite queue file can be read);
* ``storage``: every storage area's directory exists (or can be made) and is writable; with object
  storage (``STORAGE_URL=s3://…``) the bucket answers to the configured credentials (``HeadBucket``).

What failed is named, never how (no addresses, paths or driver messages: the page is public).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from congress.database import end_transaction
from congress.extensions import db, huey
from congress.storage import AREAS, S3Storage, root_of, storage

OK = "ok"
UNAVAILABLE = "unavailable"


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        end_transaction()  # nothing held open, and a failed connection goes back to the pool as dead


def _queue() -> None:
    storage = huey.storage
    connection = getattr(storage, "conn", None)
    if current_app.config.get("REDIS_URL") and connection is not None:
        connection.ping()
    else:
        storage.queue_size()


def _storage() -> None:
    first = storage(next(iter(AREAS)))
    if isinstance(first, S3Storage):
        first.check()  # one bucket for every area
        return
    for area in AREAS:
        root = root_of(area)
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK | os.X_OK):
            raise PermissionError(area)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "queue": _queue, "storage": _storage}


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, {check: "ok" | "unavailable"}); every check runs, whatever the others say."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = OK
        except Exception as exc:  # whatever fails, the instance is not ready
            current_app.logger.warning("readiness: %s unavailable (%s)", name, type(exc).__name__)
            results[name] = UNAVAILABLE
    return all(v == OK for v in results.values()), results
