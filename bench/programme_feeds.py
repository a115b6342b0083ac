"""Public programme under load: a generated programme of 300 sessions, published, served by gunicorn.

Measures requests/s and p99 latency of the programme page, ``programme.ics`` and ``schedule.json``
(served from the per-worker cache until the programme changes) with a small asyncio HTTP/1.1
keep-alive client in this process. Target: at least 500 requests/s for the cached feeds. Before
measuring, each response is checked to carry all 300 sessions (JSON talks, VEVENTs, titles on the
page), else the benchmark fails: until 2026-12-01 the programme was never published, so the public
feeds showed an empty programme (schedule.json of 2.8 KB with 0 sessions) and the figures of that
time (1,666, 503 and 1,492 requests/s) measured nothing.

``BENCH_QUICK=1`` shrinks the run to a few seconds. ``DATABASE_URL`` pointing at PostgreSQL
benchmarks that database instead of a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade

from congress import create_app
from congress.core import services as core
from congress.core.models import Person
from congress.extensions import db
from congress.programme import services as programme
from congress.programme.models import ProgrammeSession, SessionFormat

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 300
TARGET_RPS = 500
SLUG = "bench-programme"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(database_url: str, instance: str) -> None:
    """Migrate and fill the database with 300 sessions over 3 days, 10 rooms."""
    os.environ["CONGRESS_INSTANCE_DIR"] = instance
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False,
                      "HUEY_SQLITE_PATH": str(Path(instance) / "huey.db")})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if core.congress_by_slug(SLUG) is not None:
            return
        day = date.today() + timedelta(days=90)
        congress = core.create_congress(SLUG, title_nl="Benchmarkcongres", title_en="Benchmark congress",
                                        starts_on=day, ends_on=day + timedelta(days=2), status="published",
                                        venue_name="Jaarbeurs")
        tracks = [core.add_track(congress, f"Track {i}", f"Track {i}") for i in range(6)]
        rooms = [core.add_room(congress, f"Zaal {i}", 50 + i) for i in range(10)]
        people = [Person(name=f"Spreker {i}", email=f"spreker{i}@example.org", organisation="Gemeente")
                  for i in range(150)]
        db.session.add_all(people)
        tz = ZoneInfo(congress.timezone)
        formats = list(SessionFormat)
        n = 0
        for d in range(3):
            for slot in range(10):
                start = datetime.combine(day + timedelta(days=d), datetime.min.time(), tzinfo=tz) + timedelta(
                    hours=9, minutes=45 * slot)
                for room in rooms:
                    db.session.add(ProgrammeSession(
                        congress=congress, title=f"Sessie {n}: weerbaarheid in de wijk", room=room,
                        track=tracks[n % len(tracks)], format=formats[n % len(formats)].value,
                        abstract="Een workshop over wat werkt. " * 8, starts_at=start,
                        ends_at=start + timedelta(minutes=40),
                        # Two speakers each, never one in two rooms at once (publishing refuses that).
                        speakers=[people[(2 * n) % 150], people[(2 * n + 1) % 150]],
                    ))
                    n += 1
        assert n == SESSIONS
        db.session.commit()
        # The public pages and feeds show only a published version: without this they had 0 sessions.
        programme.publish(congress, None, "Benchmark")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


async def _worker(port: int, path: str, deadline: float, latencies: list[float], errors: list[int]) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: nl\r\n"
               "Accept-Encoding: gzip\r\n\r\n").encode()
    writer = None
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            close = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                lower = line.lower()
                if lower.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                elif lower.startswith(b"connection:") and b"close" in lower:
                    close = True
            if length:
                await reader.readexactly(length)
            if close:
                writer.close()
                writer = None
            if b" 200 " not in status_line:
                errors.append(1)
            latencies.append(time.perf_counter() - started)
    finally:
        if writer is not None:
            writer.close()


async def _load(port: int, path: str, seconds: float, connections: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_worker(port, path, deadline, latencies, errors) for _ in range(connections)))
    return latencies, len(errors), time.perf_counter() - started


def _wait_until_up(port: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def sessions_in(name: str, body: bytes) -> int:
    """How many sessions a response carries, counted in its own format."""
    if name == "schedule.json":
        days = json.loads(body)["schedule"]["conference"]["days"]
        return sum(len(talks) for day in days for talks in day["rooms"].values())
    if name == "programme.ics":
        return body.count(b"BEGIN:VEVENT")
    return body.count(b"weerbaarheid in de wijk</")  # each session's title, once per session on the page


def check_work(port: int, name: str, path: str) -> int:
    """The benchmark measures what it says: each export carries all the sessions, else it fails."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": "nl"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
    found = sessions_in(name, body)
    if found != SESSIONS:
        raise RuntimeError(f"{name} carries {found} sessions, not {SESSIONS}: the benchmark would measure nothing")
    return len(body)


def run() -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    seconds = 1.5 if quick else 8.0
    connections = 8 if quick else 16
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    with tempfile.TemporaryDirectory(prefix="programme-bench-") as tmp:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        backend = "postgresql" if database_url.startswith("postgres") else "sqlite"
        _prepare(database_url, tmp)
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "CONGRESS_INSTANCE_DIR": tmp,
               "HUEY_SQLITE_PATH": str(Path(tmp) / "huey.db"), "RATELIMIT_ENABLED": "false"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "-k", "gthread", "--threads", "4", "--keep-alive", "30", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env,
        )
        rows = []
        try:
            _wait_until_up(port)
            paths = {
                "programme page": f"/{SLUG}/programme",
                "programme.ics": f"/{SLUG}/programme.ics",
                "schedule.json": f"/{SLUG}/schedule.json",
            }
            for name, path in paths.items():
                size = check_work(port, name, path)
                asyncio.run(_load(port, path, 0.5, 2))  # warm every worker's cache
                latencies, errors, elapsed = asyncio.run(_load(port, path, seconds, connections))
                latencies.sort()
                rps = len(latencies) / elapsed
                p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
                is_feed = name != "programme page"
                rows.append({"benchmark": f"programme: {name} (300 sessions, cached)", "database": backend,
                             "metric": "requests/s", "value": round(rps),
                             "target": f">= {TARGET_RPS}" if is_feed else "",
                             "ok": (rps >= TARGET_RPS and errors == 0) if is_feed else errors == 0})
                rows.append({"benchmark": f"programme: {name} (300 sessions, cached)", "database": backend,
                             "metric": "p99 latency (ms)", "value": round(p99, 1), "target": "", "ok": None})
                rows.append({"benchmark": f"programme: {name} (300 sessions, cached)", "database": backend,
                             "metric": "sessions in the response (KB)", "value": f"{SESSIONS} ({size / 1024:.0f} KB)",
                             "target": f"= {SESSIONS}", "ok": True})
                time.sleep(0.5)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    for row in rows:
        print(row, flush=True)
    return rows


if __name__ == "__main__":
    run()
