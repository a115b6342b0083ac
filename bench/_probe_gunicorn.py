"""gunicorn configuration for a measured run (``gunicorn -c bench/_probe_gunicorn.py``): for every
request that carries ``X-Probe-Id`` each worker writes one line to ``$BENCH_PROBE_DIR/probe-<pid>.tsv``
with the id, when the worker started on it (just after accept and parsing: ``pre_request``), when it
was done (``post_request``, after the response was written), the time spent in SQL statements
(SQLAlchemy cursor events) and the worker's pid. All times are ``time.monotonic()`` (CLOCK_MONOTONIC,
the same clock in every process on the machine), so that the client's send and receive times of the
same request can be set beside them. Used by ``BENCH_PROBE=1 python -m bench registration_rush``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_state: dict = {"sql": 0.0, "started": 0.0, "out": None}


def _before(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info["probe_started"] = time.monotonic()


def _after(conn, cursor, statement, parameters, context, executemany) -> None:
    _state["sql"] += time.monotonic() - conn.info.pop("probe_started", time.monotonic())


def post_worker_init(worker) -> None:
    event.listen(Engine, "before_cursor_execute", _before)
    event.listen(Engine, "after_cursor_execute", _after)
    folder = Path(os.environ["BENCH_PROBE_DIR"])
    _state["out"] = (folder / f"probe-{os.getpid()}.tsv").open("a", buffering=1)


def pre_request(worker, req) -> None:
    _state["started"] = time.monotonic()
    _state["sql"] = 0.0


def post_request(worker, req, environ, resp) -> None:
    probe = next((value for name, value in req.headers if name == "X-PROBE-ID"), None)
    if probe is not None and _state["out"] is not None:
        _state["out"].write(f"{probe}\t{_state['started']:.6f}\t{time.monotonic():.6f}\t{_state['sql']:.6f}"
                            f"\t{os.getpid()}\n")
