"""What the benchmarks share: percentiles, a throw-away PostgreSQL database, and running one benchmark
on SQLite and then on PostgreSQL. gunicorn on loopback and the load clients live in tests/support
(the tests use them too) and are re-exported here."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from tests.support import ROOT, Server, free_port, post_json_concurrently, start_gunicorn

__all__ = ["ROOT", "Server", "free_port", "on_both_databases", "percentile", "post_json_concurrently",
           "start_gunicorn"]

def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def postgres_server_url() -> tuple[str | None, bool]:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url, False
    try:
        already = subprocess.run(["scripts/pg_test_server.sh", "start"], cwd=ROOT, capture_output=True, text=True,
                                 check=False, timeout=60) if cluster_running() else None
        if already is not None and already.returncode == 0:
            return already.stdout.strip().splitlines()[-1], False  # someone else's run: leave it running
    except (subprocess.SubprocessError, OSError):
        pass
    try:
        out = subprocess.run(["scripts/pg_test_server.sh", "start"], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=60)
    except (subprocess.SubprocessError, OSError):
        return None, False
    return out.stdout.strip().splitlines()[-1], True


def cluster_running() -> bool:
    """Whether this checkout's throw-away cluster (scripts/pg_test_server.sh) is up already."""
    checksum = subprocess.run(["bash", "-c", "pwd | cksum | cut -d' ' -f1"], cwd=ROOT, capture_output=True,
                              text=True, check=False).stdout.strip()
    return (Path(f"/tmp/congress-pg-{checksum}") / "data" / "postmaster.pid").exists()


def fresh_postgres_database(server_url: str, name: str) -> str:
    url = sa.engine.make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def on_both_databases(name: str, run_one: Callable[[str, str, Path], list[dict]]) -> list[dict]:
    """``run_one(label, database_url, workdir)`` on a fresh SQLite file, then on a fresh PostgreSQL
    database (the throw-away server of scripts/pg_test_server.sh, stopped afterwards if we started it)."""
    rows: list[dict] = []
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    try:
        wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")
        if "sqlite" in wanted:
            (workdir / "sqlite").mkdir()
            rows += run_one("SQLite", f"sqlite:///{workdir / 'sqlite' / 'bench.db'}", workdir / "sqlite")
        if "postgresql" not in wanted:
            return rows
        server_url, started = postgres_server_url()
        if server_url is None:
            rows.append({"benchmark": name, "database": "PostgreSQL", "metric": "skipped",
                         "value": "no PostgreSQL server", "target": "", "ok": False})
            return rows
        try:
            (workdir / "postgres").mkdir()
            rows += run_one("PostgreSQL", fresh_postgres_database(server_url, f"congress_bench_{name}"),
                            workdir / "postgres")
        finally:
            if started:
                subprocess.run(["scripts/pg_test_server.sh", "stop"], cwd=ROOT, check=False, timeout=60)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def host_reference_ms(repeat: int = 5) -> float:
    """How fast this machine runs plain Python right now: the median time of a fixed pure-Python loop
    (ms). The same code measured at another time can differ by half or more on this shared machine;
    this figure, recorded with each run, tells a slow machine from slow code (lower is faster)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i % 7
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)
