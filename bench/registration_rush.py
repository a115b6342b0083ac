"""Registration rush: concurrent clients register with workshop choices against gunicorn (≥ 2 worker
processes) on SQLite and on PostgreSQL. Reports registrations/s, p50/p95/p99 latency and overbooked seats.

    python -m bench registration_rush          # or: make bench
    BENCH_QUICK=1 python -m bench registration_rush

The helpers (a throw-away database with an open edition, gunicorn, the load) are also used by the
200-concurrent-registrations test in tests/registration/test_concurrency.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
TARGET_RATE = 150.0
TARGET_P99_MS = 300.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_gunicorn(database_url: str, instance_dir: Path, *, workers: int = 2, threads: int = 1,
                   timeout: float = 30.0) -> Server:
    """gunicorn on 127.0.0.1 with ``workers`` processes, production settings, no rate limits (the load
    comes from one address), and a throw-away instance folder (Huey queue)."""
    import requests

    port = free_port()
    instance_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONGRESS_INSTANCE_DIR": str(instance_dir),
        "CONGRESS_ENV": "production",
        "SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789abcdef",
        "FORCE_HTTPS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "RATELIMIT_ENABLED": "0",
        "HUEY_SQLITE_PATH": str(instance_dir / "huey.db"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    log = instance_dir / "gunicorn.log"
    command = [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
               "--backlog", "2048", "--log-level", "warning"]
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    process = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(server.base_url + "/healthz", timeout=1).status_code == 200:
                # Every worker answers (each imports the app lazily on its first request otherwise).
                for _ in range(workers * 2):
                    requests.get(server.base_url + "/healthz", timeout=5)
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start in time")


@dataclass
class Outcome:
    status: int
    latency: float
    body: dict = field(default_factory=dict)
    started: float = 0.0


def fire(base_url: str, slug: str, token: str, payloads: list[dict], *, concurrency: int,
         timeout: float = 30.0, together: bool = False) -> list[Outcome]:
    """POST every payload with ``concurrency`` concurrent clients (threads, each its own connection).
    ``together``: all clients wait at a barrier and start at the same moment. The client is plain
    http.client, so that the load generator takes little of the machine's CPU from the server."""
    import http.client
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    path = f"/api/v1/congresses/{slug}/registrations"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Connection": "close"}
    barrier = threading.Barrier(min(concurrency, len(payloads))) if together else None

    def one(payload: dict) -> Outcome:
        if barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=timeout)
        body = json.dumps(payload).encode()
        start = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            return Outcome(599, time.perf_counter() - start, {"error": str(exc)}, start)
        finally:
            connection.close()
        latency = time.perf_counter() - start
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = {}
        return Outcome(status, latency, parsed if isinstance(parsed, dict) else {}, start)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, payloads))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


# --- a throw-away database with an open edition --------------------------------------------------


def prepare(database_url: str, instance_dir: Path, *, rounds: int = 2, sessions_per_round: int = 4,
            capacity: int = 30) -> dict:
    """Migrate an empty database and add an open edition with sign-up rounds and an API token."""
    from flask_migrate import upgrade

    from congress import create_app
    from congress.accounts.services import create_api_token
    from congress.database import utcnow
    from congress.extensions import db
    from congress.programme.models import SignupRound
    from congress.registration import services
    from tests.factories import make_congress, make_session

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_SQLITE_PATH": str(instance_dir / "h.db"),
                      "TESTING": True, "HUEY_IMMEDIATE": True})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        congress = make_congress("rush", rooms=sessions_per_round)
        congress.registration_opens_at = utcnow() - timedelta(days=1)
        congress.registration_closes_at = utcnow() + timedelta(days=1)
        services.ensure_default_sectors(congress)
        plan: list[list[int]] = []
        for r in range(rounds):
            signup_round = SignupRound(congress_id=congress.id, name_nl=f"Ronde {r + 1}", position=r)
            db.session.add(signup_round)
            db.session.flush()
            ids = []
            for s in range(sessions_per_round):
                session = make_session(congress, start=f"{10 + 2 * r}:00", end=f"{11 + 2 * r}:00",
                                       room_index=s, title=f"Workshop {r + 1}.{s + 1}")
                session.signup_round_id = signup_round.id
                session.signup_required = True
                session.capacity = capacity
                ids.append(session.id)
            plan.append(ids)
        secret = create_api_token("rush", "registrations").secret
        db.session.commit()
        result = {"slug": congress.slug, "token": secret, "rounds": plan}
        db.session.remove()
        db.engine.dispose()
    return result


def database_counts(database_url: str) -> dict:
    """Enrolled per session and over capacity, straight from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT s.id, s.capacity, "
            "(SELECT count(*) FROM registration_enrolments e WHERE e.session_id = s.id AND e.status = 'enrolled'),"
            "(SELECT count(*) FROM registration_enrolments e WHERE e.session_id = s.id AND e.status = 'waitlisted')"
            " FROM programme_sessions s")).all()
        registrations = conn.execute(sa.text("SELECT count(*) FROM registrations")).scalar()
    engine.dispose()
    return {
        "sessions": {sid: (cap, enrolled, waiting) for sid, cap, enrolled, waiting in rows},
        "overbooked": sum(max(enrolled - cap, 0) for _sid, cap, enrolled, _w in rows if cap is not None),
        "registrations": registrations,
    }


def payloads(count: int, rounds: list[list[int]], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [{
        "name": f"Deelnemer {i}", "email": f"rush{i}@example.org", "organisation": "Gemeente Utrecht",
        "sector": "gemeente", "consent_privacy": True, "confirmed": bool(i % 2),
        "sessions": [rng.choice(ids) for ids in rounds if rng.random() < 0.9],
    } for i in range(count)]


# --- the benchmark -----------------------------------------------------------------------------------


def _postgres_url() -> tuple[str | None, bool]:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url, False
    try:
        already = subprocess.run(["scripts/pg_test_server.sh", "start"], cwd=ROOT, capture_output=True, text=True,
                                 check=False, timeout=60) if _cluster_running() else None
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


def _cluster_running() -> bool:
    """Whether this checkout's throw-away cluster (scripts/pg_test_server.sh) is up already."""
    checksum = subprocess.run(["bash", "-c", "pwd | cksum | cut -d' ' -f1"], cwd=ROOT, capture_output=True,
                              text=True, check=False).stdout.strip()
    return (Path(f"/tmp/congress-pg-{checksum}") / "data" / "postmaster.pid").exists()


def _fresh_postgres_database(server_url: str) -> str:
    import sqlalchemy as sa

    url = sa.engine.make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "congress_bench_rush" WITH (FORCE)')
        conn.exec_driver_sql('CREATE DATABASE "congress_bench_rush"')
    admin.dispose()
    return url.set(database="congress_bench_rush").render_as_string(hide_password=False)


def run_one(label: str, database_url: str, workdir: Path, *, count: int, concurrency: int, workers: int) -> list[dict]:
    setup = prepare(database_url, workdir)
    server = start_gunicorn(database_url, workdir / "instance", workers=workers)
    try:
        # A short warm-up (connections, template caches), then the measured rush.
        fire(server.base_url, setup["slug"], setup["token"],
             [{**p, "email": "warm-" + p["email"]} for p in payloads(min(20, count), setup["rounds"], seed=1)],
             concurrency=4)
        load = payloads(count, setup["rounds"])
        started = time.perf_counter()
        outcomes = fire(server.base_url, setup["slug"], setup["token"], load, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    ok = [o for o in outcomes if o.status == 201]
    errors = len([o for o in outcomes if o.status >= 500])
    latencies = [o.latency * 1000 for o in ok]
    counts = database_counts(database_url)
    rate = len(ok) / elapsed if elapsed else 0.0
    p50, p95, p99 = (percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    name = f"registration_rush ({concurrency} clients, {workers} workers)"
    return [
        {"benchmark": name, "database": label, "metric": "registrations/s", "value": round(rate, 1),
         "target": f">= {TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
        {"benchmark": name, "database": label, "metric": "p50 latency (ms)", "value": round(p50, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p95 latency (ms)", "value": round(p95, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p99 latency (ms)", "value": round(p99, 1),
         "target": f"<= {TARGET_P99_MS:.0f}", "ok": p99 <= TARGET_P99_MS},
        {"benchmark": name, "database": label, "metric": "overbooked seats", "value": counts["overbooked"],
         "target": "0", "ok": counts["overbooked"] == 0},
        {"benchmark": name, "database": label, "metric": "errors (5xx or lost)",
         "value": errors + (len(outcomes) - len(ok)),
         "target": "0", "ok": errors == 0 and len(ok) == len(outcomes)},
    ]


def run() -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    count = int(os.environ.get("BENCH_RUSH_COUNT", "200" if quick else "2000"))
    concurrency = int(os.environ.get("BENCH_RUSH_CLIENTS", "50"))
    workers = int(os.environ.get("BENCH_RUSH_WORKERS", "4"))
    rows: list[dict] = []
    workdir = Path(tempfile.mkdtemp(prefix="registration-rush-"))
    try:
        sqlite_dir = workdir / "sqlite"
        sqlite_dir.mkdir()
        rows += run_one("SQLite", f"sqlite:///{sqlite_dir / 'rush.db'}", sqlite_dir, count=count,
                        concurrency=concurrency, workers=workers)
        server_url, started = _postgres_url()
        if server_url is None:
            rows.append({"benchmark": "registration_rush", "database": "PostgreSQL", "metric": "skipped",
                         "value": "no PostgreSQL server", "target": "", "ok": False})
        else:
            try:
                pg_dir = workdir / "postgres"
                pg_dir.mkdir()
                rows += run_one("PostgreSQL", _fresh_postgres_database(server_url), pg_dir, count=count,
                                concurrency=concurrency, workers=workers)
            finally:
                if started:
                    subprocess.run(["scripts/pg_test_server.sh", "stop"], cwd=ROOT, check=False, timeout=60)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for row in rows:
        print(f"  {row['database']:<10} {row['metric']:<22} {row['value']!s:>10}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
