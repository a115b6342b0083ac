"""What the benchmarks share: gunicorn on loopback, percentiles, a throw-away PostgreSQL database,
and running one benchmark on SQLite and then on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


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
                   timeout: float = 30.0, extra_env: dict[str, str] | None = None) -> Server:
    """gunicorn on 127.0.0.1 with ``workers`` processes, production settings, no rate limits (the load
    comes from one address), and a throw-away instance folder (Huey queue)."""
    import requests

    port = free_port()
    instance_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",  # required in production; the only host answered
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
    env.update(extra_env or {})
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
    import sqlalchemy as sa

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


def post_json_concurrently(base_url: str, path: str, bodies: list[dict], headers: dict[str, str],
                           concurrency: int, timeout: float = 30.0) -> list[dict]:
    """POST each body with ``concurrency`` connections from one asyncio loop: a lean load generator,
    so that the client's own CPU takes as little as possible from the server on a shared machine.
    Returns, in order, ``status``, ``body`` (parsed JSON or {}), ``client_ms`` and ``server_ms``
    (the app's Server-Timing)."""
    import asyncio
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    results: list[dict] = [{} for _ in bodies]

    async def one(index: int) -> None:
        payload = json.dumps(bodies[index]).encode()
        request = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(payload)}\r\nConnection: close\r\n{extra}\r\n").encode() + payload
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            writer.write(request)
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(), timeout)
            writer.close()
        except (OSError, TimeoutError):
            results[index] = {"status": 599, "body": {}, "client_ms": (time.perf_counter() - started) * 1000,
                              "server_ms": None}
            return
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        server_ms = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "server-timing" and "dur=" in value:
                server_ms = float(value.split("dur=")[1])
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            parsed = {}
        results[index] = {"status": status, "body": parsed, "client_ms": (time.perf_counter() - started) * 1000,
                          "server_ms": server_ms}

    async def main() -> None:
        queue = iter(range(len(bodies)))

        async def worker() -> None:
            for index in queue:
                await one(index)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    asyncio.run(main())
    return results
