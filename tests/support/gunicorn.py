"""A real gunicorn with worker processes on a free port of 127.0.0.1, production settings, started and
waited for until every worker answers, and stopped again (SIGTERM, then kill)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
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
                   timeout: float = 30.0, extra_env: dict[str, str] | None = None,
                   extra_args: list[str] | None = None) -> Server:
    """gunicorn on 127.0.0.1 with ``workers`` processes, production settings, no rate limits (the load
    comes from one address), and a throw-away instance folder (Huey queue). ``extra_args`` go to
    gunicorn's command line as they are (e.g. ``["-c", "bench/_probe_gunicorn.py"]``)."""
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
    command += extra_args or []
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
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not start in time: {log.read_text()[-2000:]}")
