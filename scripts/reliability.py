"""Faults a venue really has, injected into a running installation; what was lost or doubled.

    make reliability            # SQLite, then PostgreSQL (a throw-away cluster); writes docs/reliability.md
    python scripts/reliability.py --backends sqlite

For each database it starts what production runs — gunicorn with 2 workers, the mail worker
(``flask congress worker``), a real SMTP server (aiosmtpd) on 127.0.0.1 — and sends registrations
through the partner API from concurrent clients while it injects, one after the other:

- kill -9 of a gunicorn worker, then of the master (and its orphaned workers, as systemd does),
  restarted at once, during a registration rush; clients retry what got no answer;
- the SMTP server down, and back a few seconds later;
- the database locked: a second process holds the SQLite write lock (``BEGIN IMMEDIATE``) or a
  PostgreSQL ``LOCK TABLE … ACCESS EXCLUSIVE`` for a few seconds;
- disk full (SQLite: ``PRAGMA max_page_count`` on every connection of the web workers, set by a
  gunicorn hook; the retrying client then sends everything again to a healthy server);
- a read-only data directory (a tmpfs mounted read-only, as root; else a directory of another user).

Then it waits (bounded) until the outbox is drained, scans every badge twice from two clients at
once, and counts what matters: acknowledged registrations missing from the database, answers that
denied what was stored, registrations without exactly one delivered confirmation mail (by
``Message-ID`` and recipient at the SMTP server), duplicate check-ins, failed messages, server
errors and ``database is locked`` in the logs. It measures whatever code it runs: nothing here
assumes the defects are fixed. Every server listens on 127.0.0.1 on a free port and is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
CLIENTS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", flush=True)


# --- SMTP -----------------------------------------------------------------------------------------

class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []  # (to, Message-ID, subject)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            for to in envelope.rcpt_tos:
                self.messages.append((to.lower(), str(message.get("Message-ID", "")), str(message["Subject"])))
        return "250 OK"


class Smtp:
    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# --- the installation -----------------------------------------------------------------------------

class Installation:
    def __init__(self, backend: str, work: Path, smtp: Smtp, database_url: str) -> None:
        self.backend = backend
        self.work = work
        self.instance = work / "instance"
        self.instance.mkdir(parents=True)
        self.smtp = smtp
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "RATELIMIT", "REDIS"))},
            "CONGRESS_ENV": "development", "FLASK_DEBUG": "0",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "DATABASE_URL": database_url,
            "CONGRESS_INSTANCE_DIR": str(self.instance),
            "HUEY_SQLITE_PATH": str(self.instance / "huey.db"),
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_TIMEOUT": "5",
            "MAIL_RETRY_BASE_SECONDS": "1", "MAIL_MAX_ATTEMPTS": "10",
            "PUBLIC_BASE_URL": self.base,
            "REGISTRATION_API_RATE_LIMIT": "100000 per minute",
            "REGISTRATION_RATE_LIMIT": "100000 per minute",
            "PYTHONUNBUFFERED": "1",
        }
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.logs: list[Path] = []
        self.boots = 0

    def run(self, code: str) -> str:
        done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=180, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        return done.stdout

    def prepare(self) -> dict:
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=self.env,
                       capture_output=True, check=True, timeout=180)
        out = self.run(
            "import json\n"
            "from wsgi import app\n"
            "from congress.accounts import services as accounts\n"
            "from congress.extensions import db\n"
            "from tests.registration.factories import open_congress\n"
            "with app.app_context():\n"
            "    c = open_congress('betrouwbaar')\n"
            "    r = accounts.create_api_token('rush', 'registrations').secret\n"
            "    s = accounts.create_api_token('scan', 'checkin').secret\n"
            "    db.session.commit()\n"
            "    print(json.dumps({'slug': c.slug, 'registrations': r, 'checkin': s}))\n"
        )
        return json.loads(out.strip().splitlines()[-1])

    def start_web(self, *, config: Path | None = None, env: dict | None = None, wait: bool = True) -> subprocess.Popen:
        self.boots += 1
        logfile = self.work / f"gunicorn-{self.boots}.log"
        self.logs.append(logfile)
        command = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                   "--graceful-timeout", "3", "--timeout", "60", "wsgi:app"]
        if config is not None:
            command[1:1] = ["--config", str(config)]
        self.web = subprocess.Popen(command, cwd=ROOT, env={**self.env, **(env or {})},
                                    stdout=logfile.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_ready()
        return self.web

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.web.returncode}: {self.logs[-1].read_text()[-1500:]}")
            try:
                if requests.get(f"{self.base}/", timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def web_children(self) -> list[int]:
        if self.web is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(self.web.pid)], capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def stop_web(self) -> None:
        if self.web is None:
            return
        try:
            os.killpg(self.web.pid, signal.SIGTERM)
            self.web.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.web.pid, signal.SIGKILL)
        self.web = None

    def start_worker(self) -> None:
        logfile = self.work / "worker.log"
        self.logs.append(logfile)
        self.worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "congress", "worker", "--workers", "2"],
                                       cwd=ROOT, env=self.env, stdout=logfile.open("w"), stderr=subprocess.STDOUT,
                                       start_new_session=True)

    def stop_worker(self) -> None:
        if self.worker is not None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker = None


# --- clients --------------------------------------------------------------------------------------

class Outcomes:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.final: dict[str, int | str] = {}     # email -> last answer (status or "no answer")
        self.acknowledged: set[str] = set()       # got 201 (or 200 "already registered") at some point
        self.statuses: Counter = Counter()
        self.requests = 0
        self.latencies: list[float] = []
        self.samples: dict[int, str] = {}        # an example body per error status

    def record(self, email: str, status: int | str, elapsed: float, duplicate: bool = False) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            self.final[email] = status
            self.latencies.append(elapsed)
            if status == 201 or (status == 200 and duplicate):
                self.acknowledged.add(email)


def register(inst: Installation, setup: dict, email: str, outcomes: Outcomes, deadline: float) -> None:
    """One attendee through the partner API, retried like a careful client when no answer came."""
    body = {"name": "Rie Betrouwbaar", "email": email, "organisation": "Gemeente Utrecht", "sector": "gemeente",
            "consent_privacy": True, "confirmed": True, "sessions": [], "answers": {}}
    headers = {"Authorization": f"Bearer {setup['registrations']}"}
    while True:
        started = time.monotonic()
        try:
            response = requests.post(f"{inst.base}/api/v1/congresses/{setup['slug']}/registrations", json=body,
                                     headers=headers, timeout=40)
        except requests.RequestException:
            outcomes.record(email, "no answer", time.monotonic() - started)
            if time.monotonic() > deadline:
                return
            time.sleep(0.3)
            continue
        duplicate = response.status_code == 200 and bool(response.json().get("duplicate"))
        if response.status_code not in (200, 201):
            outcomes.samples.setdefault(response.status_code, response.text[:160].replace("\n", " "))
        outcomes.record(email, response.status_code, time.monotonic() - started, duplicate)
        if response.status_code in (502, 503) and time.monotonic() < deadline:
            time.sleep(0.5)
            continue
        return


def rush(inst: Installation, setup: dict, prefix: str, count: int, outcomes: Outcomes,
         during=None, retry_seconds: float = 60) -> None:
    emails = [f"{prefix}-{i}@example.org" for i in range(count)]
    deadline = time.monotonic() + retry_seconds
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(register, inst, setup, e, outcomes, deadline) for e in emails]
        if during is not None:
            during(outcomes, futures)
        for future in futures:
            future.result()


# --- faults ---------------------------------------------------------------------------------------

def kill_worker_then_master(inst: Installation, done_before: int, outcomes: Outcomes, total: int) -> tuple:
    events = {}

    def during(_outcomes: Outcomes, futures: list) -> None:
        def wait_for(n: int) -> None:
            deadline = time.monotonic() + 60
            while (len(outcomes.acknowledged) < n and time.monotonic() < deadline
                   and not all(f.done() for f in futures)):
                time.sleep(0.02)

        wait_for(done_before + total // 3)
        children = inst.web_children()
        if children:
            os.kill(children[0], signal.SIGKILL)
            events["worker killed after acknowledged"] = len(outcomes.acknowledged) - done_before
        wait_for(done_before + 2 * total // 3)
        master = inst.web
        orphans = inst.web_children()
        os.kill(master.pid, signal.SIGKILL)
        for pid in orphans:  # systemd kills the whole unit (cgroup); so do we
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        master.wait()
        events["master killed after acknowledged"] = len(outcomes.acknowledged) - done_before
        inst.web = None
        inst.start_web(wait=False)

    return events, during


class HoldLock:
    """A second process that holds the database's write lock for ``seconds``."""

    def __init__(self, inst: Installation, seconds: float) -> None:
        self.inst, self.seconds = inst, seconds

    def __enter__(self) -> HoldLock:
        if self.inst.backend == "sqlite":
            path = sa.engine.make_url(self.inst.database_url).database
            code = (f"import sqlite3, time\nc = sqlite3.connect({path!r}, isolation_level=None)\n"
                    f"c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep({self.seconds})\n"
                    "c.execute('ROLLBACK')\n")
        else:
            url = sa.engine.make_url(self.inst.database_url).set(drivername="postgresql+psycopg")
            code = ("import sqlalchemy as sa, time\n"
                    f"e = sa.create_engine({url.render_as_string(hide_password=False)!r})\n"
                    "with e.begin() as c:\n"
                    "    c.exec_driver_sql('LOCK TABLE registrations IN ACCESS EXCLUSIVE MODE')\n"
                    "    print('locked', flush=True)\n"
                    f"    time.sleep({self.seconds})\n")
        self.process = subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE, text=True)
        self.process.stdout.readline()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.wait(timeout=self.seconds + 30)


DISK_FULL_HOOK = '''
def post_worker_init(worker):
    """Reliability test: the database file may grow by only a few pages (a full disk)."""
    from sqlalchemy import event
    from congress.extensions import db
    app = worker.wsgi
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _small_disk(dbapi_connection, record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + %d}")

        engine.dispose()
    worker.log.info("reliability: disk-full hook active in worker %%s", worker.pid)
'''


def read_only_start(inst: Installation) -> dict:
    """Start the web service with its data directory read-only; what does the operator see?"""
    mount = inst.work / "readonly"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                             capture_output=True, check=False).returncode == 0
    env = {"CONGRESS_INSTANCE_DIR": str(mount / "instance"), "HUEY_SQLITE_PATH": str(mount / "instance" / "huey.db")}
    try:
        (mount / "instance").mkdir()
        if inst.backend == "sqlite":
            db_path = sa.engine.make_url(inst.database_url).database
            src, dst = sqlite3.connect(db_path), sqlite3.connect(mount / "instance" / "congress.db")
            src.backup(dst)
            dst.close()
            src.close()
            env["DATABASE_URL"] = f"sqlite:///{mount / 'instance' / 'congress.db'}"
        how = "tmpfs remounted read-only"
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        else:
            how = "not injected (needs root to mount a read-only file system)"
            return {"how": how}
        port = free_port()
        logfile = inst.work / "gunicorn-readonly.log"
        started = time.monotonic()
        process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                                   cwd=ROOT, env={**inst.env, **env}, stdout=logfile.open("w"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        status = None
        try:
            process.wait(timeout=25)
            exit_code = process.returncode
        except subprocess.TimeoutExpired:
            exit_code = None
            try:
                status = requests.post(f"http://127.0.0.1:{port}/api/v1/congresses/x/registrations", json={},
                                       timeout=10).status_code
            except requests.RequestException:
                status = "no answer"
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        text = logfile.read_text(errors="replace")
        return {
            "how": how,
            "exit": "still running after 25 s" if exit_code is None else exit_code,
            "seconds": round(time.monotonic() - started, 1),
            "worker boots": text.count("Booting worker"),
            "tracebacks": text.count("Traceback"),
            "names the path": str(mount) in text,
            "request": status,
            "first error line": next((line for line in text.splitlines()
                                      if "rror" in line and "Traceback" not in line), "")[:200],
        }
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], check=False)


# --- measuring ------------------------------------------------------------------------------------

def outbox_state(engine: sa.Engine) -> Counter:
    with engine.connect() as conn:
        return Counter(dict(conn.execute(sa.text("SELECT status, count(*) FROM mail_outbox GROUP BY status")).all()))


def drain(engine: sa.Engine, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = outbox_state(engine)
        if not state.get("queued") and not state.get("sending"):
            break
        time.sleep(0.5)
    return time.monotonic() - started


def scan_storm(inst: Installation, setup: dict, engine: sa.Engine) -> dict:
    out = inst.run(
        "import json\n"
        "import sqlalchemy as sa\n"
        "from wsgi import app\n"
        "from congress.extensions import db\n"
        "from congress.badges import services as badges\n"
        "from congress.registration.models import Registration\n"
        "with app.app_context():\n"
        "    regs = db.session.scalars(sa.select(Registration).order_by(Registration.id).limit(20)).all()\n"
        "    codes = [badges.issue_code(r) for r in regs]\n"
        "    db.session.commit()\n"
        "    print(json.dumps(codes))\n"
    )
    codes = json.loads(out.strip().splitlines()[-1])
    headers = {"Authorization": f"Bearer {setup['checkin']}"}
    answers: Counter = Counter()

    def scan(code: str) -> None:
        for _ in range(2):
            try:
                r = requests.post(f"{inst.base}/api/v1/checkins", headers=headers, timeout=30,
                                  json={"code": code, "nonce": uuid.uuid4().hex, "station": "deur"})
                answers[r.status_code] += 1
            except requests.RequestException:
                answers["no answer"] += 1

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(scan, codes + codes))  # every badge from two clients at once, twice each
    with engine.connect() as conn:
        duplicates = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT registration_id, list_key FROM checkins WHERE undone_at IS NULL "
            "GROUP BY registration_id, list_key HAVING count(*) > 1) d")).scalar()
        active = conn.execute(sa.text("SELECT count(*) FROM checkins WHERE undone_at IS NULL")).scalar()
    return {"badges": len(codes), "scans": sum(answers.values()), "answers": dict(answers),
            "active check-ins": active, "duplicate check-ins": duplicates}


def run_backend(backend: str, database_url: str, disk_full: bool, keep: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"congress-reliability-{backend}-"))
    smtp = Smtp()
    smtp.start()
    inst = Installation(backend, work, smtp, database_url)
    result: dict = {"backend": backend, "phases": []}
    engine = sa.create_engine(sa.engine.make_url(database_url).set(
        drivername="postgresql+psycopg" if backend == "postgresql" else "sqlite"))
    try:
        setup = inst.prepare()
        inst.start_worker()
        inst.start_web()
        outcomes = Outcomes()

        # 1. Rush with kill -9 of a worker and of the master.
        log(f"{backend}: rush of 45 registrations, kill -9 of a gunicorn worker and of the master")
        events, during = kill_worker_then_master(inst, len(outcomes.acknowledged), outcomes, 45)
        started = time.monotonic()
        rush(inst, setup, "rush", 45, outcomes, during=during)
        inst.wait_ready()
        result["phases"].append({"fault": "kill -9 gunicorn worker, then master (restarted at once)",
                                 "registrations": 45, **events, "seconds": round(time.monotonic() - started, 1)})

        # 2. SMTP down and back.
        log(f"{backend}: SMTP server down for 6 s during 15 registrations")
        smtp.stop()
        rush(inst, setup, "smtp", 15, outcomes)
        time.sleep(6)
        smtp.start()
        result["phases"].append({"fault": "SMTP server down 6 s, then back", "registrations": 15})

        # 3. Database locked by a second process.
        log(f"{backend}: database write lock held 5 s by another process during 15 registrations")
        before = len(outcomes.latencies)
        with HoldLock(inst, 5):
            rush(inst, setup, "locked", 15, outcomes)
        slowest = max(outcomes.latencies[before:], default=0)
        result["phases"].append({"fault": "write lock held 5 s by a second process"
                                 + (" (BEGIN IMMEDIATE)" if backend == "sqlite" else " (LOCK TABLE registrations)"),
                                 "registrations": 15, "slowest answer s": round(slowest, 1)})

        # 4. Disk full (SQLite), then the client retries everything against a healthy server.
        if disk_full:
            log(f"{backend}: disk full (max_page_count) during 20 registrations, then all retried")
            hook = work / "gunicorn_disk_full.py"
            hook.write_text(DISK_FULL_HOOK % 0)
            inst.stop_web()
            inst.start_web(config=hook)
            full = Outcomes()
            rush(inst, setup, "full", 20, full, retry_seconds=0)
            hooked = inst.logs[-1].read_text(errors="replace").count("disk-full hook active")
            inst.stop_web()
            inst.start_web()
            with engine.connect() as conn:
                stored = {r[0] for r in conn.execute(sa.text(
                    "SELECT lower(email) FROM registrations WHERE email LIKE 'full-%'"))}
            errors = {e for e, s in full.final.items() if s not in (201, 200)}
            retry = Outcomes()
            rush(inst, setup, "full", 20, retry, retry_seconds=0)
            without_link = [e for e in errors if e in stored and retry.final.get(e) == 200]
            # Into the totals: every answer of both rounds; the client's last answer is the retry's.
            for round_ in (full, retry):
                outcomes.requests += round_.requests
                outcomes.statuses.update({f"{'retry ' if round_ is retry else ''}{k}": v
                                          for k, v in round_.statuses.items()})
                outcomes.final.update(round_.final)
                outcomes.acknowledged |= round_.acknowledged
                for status, sample in round_.samples.items():
                    outcomes.samples.setdefault(status, sample)
            result["phases"].append({
                "fault": "disk full (PRAGMA max_page_count: the file may not grow)", "registrations": 20,
                "web workers with the limit": hooked, "answers while full": dict(full.statuses),
                "stored while full": len(stored),
                "answered an error but stored": len(errors & stored),
                "retry got 'already registered' without its link": len(without_link),
                "answers on retry": dict(retry.statuses),
                "example answer while full": next(iter(full.samples.values()), "—"),
            })
        else:
            result["phases"].append({"fault": "disk full", "registrations": 0,
                                     "note": "not injected on PostgreSQL (no per-connection size limit)"})

        # 5. Mail: wait until the outbox is drained (bounded), then badges scanned twice at once.
        log(f"{backend}: draining the outbox")
        waited = drain(engine, 45)
        storm = scan_storm(inst, setup, engine)
        readonly = read_only_start(inst)
        log(f"{backend}: read-only data directory: {readonly}")

        with engine.connect() as conn:
            registered = {r[0] for r in conn.execute(sa.text("SELECT lower(email) FROM registrations"))}
            messages = conn.execute(sa.text("SELECT count(*) FROM mail_outbox")).scalar()
        state = outbox_state(engine)
        with smtp.recorder.lock:
            delivered = list(smtp.recorder.messages)
        per_address = Counter(to for to, _mid, _subject in delivered)
        per_id = Counter(mid for _to, mid, _subject in delivered if mid)
        log_text = "".join(p.read_text(errors="replace") for p in inst.logs if p.exists())
        denied_but_stored = sorted(e for e, s in outcomes.final.items()
                                   if e.lower() in registered and s not in (201, 200))
        result.update({
            "requests": outcomes.requests,
            "answers": {str(k): v for k, v in sorted(outcomes.statuses.items(), key=str)},
            "acknowledged": len(outcomes.acknowledged),
            "stored": len(registered),
            "acknowledged but missing": len({e.lower() for e in outcomes.acknowledged} - registered),
            "answered an error but stored": len(denied_but_stored),
            "registrations without a delivered mail": sum(1 for e in registered if per_address[e] == 0),
            "registrations with more than one mail": sum(1 for e in registered if per_address[e] > 1),
            "messages delivered": len(delivered),
            "same Message-ID delivered twice": sum(1 for n in per_id.values() if n > 1),
            "outbox rows": messages,
            "outbox by status": dict(state),
            "outbox drain wait s": round(waited, 1),
            "check-ins": storm,
            "read-only data directory": readonly,
            "'database is locked' in logs": log_text.count("database is locked"),
            "tracebacks in logs": log_text.count("Traceback"),
            "example error answers": {str(k): v[:120] for k, v in outcomes.samples.items()},
            "gunicorn boots": inst.boots,
        })
        return result
    finally:
        inst.stop_web()
        inst.stop_worker()
        smtp.stop()
        engine.dispose()
        if keep:
            log(f"{backend}: logs and data kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------

def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def fmt(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) or "—"
    return str(value)


def write_report(results: list[dict], seconds: float, path: Path) -> None:
    commit = git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    lines = [
        "# Reliability: faults injected, and what was lost or doubled",
        "",
        f"Written by `make reliability` (scripts/reliability.py) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"commit `{commit}`{dirty}, in {seconds:.0f} s on a shared 2-core machine.",
        "",
        "Each run starts what production runs — gunicorn with 2 sync workers, the mail worker "
        "(`flask congress worker`), a real SMTP server (aiosmtpd) on 127.0.0.1 — and sends registrations "
        f"through `POST /api/v1/congresses/<slug>/registrations` from {CLIENTS} concurrent clients (JSON with "
        "name, e-mail, organisation, privacy consent, `confirmed: true`; a client that gets no answer or a "
        "502/503 sends the same request again), while one fault after the other is injected. Then the outbox is "
        "drained (bounded), every badge of the first 20 registrations is scanned twice from two clients at "
        "once (`POST /api/v1/checkins`, a fresh nonce each time), and the database, the SMTP server's "
        "mailbox and the logs are compared. The script measures whatever code it runs; the numbers below "
        "are what it found, not targets.",
        "",
        "What must be 0: acknowledged registrations missing from the database, answers that denied or "
        "failed what was in fact stored, registrations without exactly one delivered confirmation mail, the "
        "same `Message-ID` delivered twice, duplicate check-ins, `failed` messages, `database is locked`.",
        "",
    ]
    keys = ["requests", "answers", "acknowledged", "stored", "acknowledged but missing",
            "answered an error but stored", "registrations without a delivered mail",
            "registrations with more than one mail", "messages delivered", "same Message-ID delivered twice",
            "outbox rows", "outbox by status", "outbox drain wait s", "'database is locked' in logs",
            "tracebacks in logs", "gunicorn boots", "example error answers"]
    lines += ["## Outcome", "", "| | " + " | ".join(r["backend"] for r in results) + " |",
              "| --- | " + " | ".join("---" for _ in results) + " |"]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(fmt(r.get(key, "—")) for r in results) + " |")
    for key in ("badges", "scans", "answers", "active check-ins", "duplicate check-ins"):
        lines.append(f"| check-ins: {key} | " + " | ".join(fmt(r.get("check-ins", {}).get(key, "—"))
                                                        for r in results) + " |")
    for r in results:
        lines += ["", f"## Faults on {r['backend']}", "", "| fault | what happened |", "| --- | --- |"]
        for phase in r.get("phases", []):
            detail = {k: v for k, v in phase.items() if k != "fault"}
            lines.append(f"| {phase['fault']} | {fmt(detail)} |")
        ro = r.get("read-only data directory", {})
        lines.append(f"| read-only data directory ({ro.get('how', '—')}) | "
                     + fmt({k: v for k, v in ro.items() if k != "how"}) + " |")
        if r.get("error"):
            lines.append(f"| run stopped | {r['error']} |")
    lines += ["", "Reading the table: *answers* counts every HTTP answer (retries included; `no answer` is a "
              "connection refused or reset while gunicorn was down). *answered an error but stored*: the "
              "client's last answer for that address was not 200/201, yet the registration is in the "
              "database (a retrying client is then told 'already registered'). The disk-full phase runs only "
              "on SQLite; the read-only phase starts a second gunicorn on a copy of the data on a read-only "
              "file system and reports how it stops (or does not).", ""]
    path.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", default=str(ROOT / "docs" / "reliability.md"))
    parser.add_argument("--keep", action="store_true", help="keep the logs and data of each run")
    args = parser.parse_args()
    started = time.monotonic()
    results = []
    for backend in args.backends.split(","):
        pg_started = False
        try:
            if backend == "sqlite":
                db_dir = Path(tempfile.mkdtemp(prefix="congress-reliability-db-"))
                url = f"sqlite:///{db_dir / 'congress.db'}"
            else:
                pg_dir = Path(tempfile.gettempdir()) / f"congress-pg-reliability-{os.getpid()}"
                env = {**os.environ, "PG_TEST_DIR": str(pg_dir), "PG_TEST_PORT": str(free_port())}
                url = subprocess.run([str(ROOT / "scripts" / "pg_test_server.sh"), "start"], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=True).stdout.strip()
                pg_started = True
            results.append(run_backend(backend, url, disk_full=backend == "sqlite", keep=args.keep))
        except Exception as exc:
            log(f"{backend}: run stopped: {exc}")
            results.append({"backend": backend, "error": re.sub(r"\s+", " ", str(exc))[:300]})
        finally:
            if pg_started:
                subprocess.run([str(ROOT / "scripts" / "pg_test_server.sh"), "stop"], cwd=ROOT, env=env, check=False)
                shutil.rmtree(pg_dir, ignore_errors=True)
            elif backend == "sqlite" and not args.keep:
                shutil.rmtree(db_dir, ignore_errors=True)
    write_report(results, time.monotonic() - started, Path(args.out))
    log(f"written {args.out} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
