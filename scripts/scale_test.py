"""Congres on a simulated venue network: three app hosts, one database host, a load host and ten
check-in stations, each a Linux network namespace, joined by veth pairs on a bridge in a namespace of
its own (10.77.0.0/24). Run as root; ``make scale-test`` (never part of ``make test``).

    make scale-test                                   # 5,000 registrations, 2,000 badges
    python scripts/scale_test.py --registrations 300 --scans 200     # a small run while developing

What it starts, each inside its namespace: PostgreSQL (a throw-away cluster), Redis, an SMTP sink
(aiosmtpd, recording every message) and — with ``--storage s3`` on a checkout whose storage speaks S3 —
moto's S3 server, on the database host; gunicorn with production settings on each app host; the
worker (``flask congress worker --processes 1``) on two app hosts at once, against Redis. Then:

(a) a registration opening: N registrations from 200 clients in the load namespace, spread over the
    three hosts through the partner API, with workshop choices, an edition capacity below N (the rest
    goes to the waiting list);
(c) host loss: the third app host's gunicorn killed (SIGKILL, master and workers) when half are
    acknowledged; a client that gets no answer sends the same registration to another host (the API
    answers an e-mail address already registered with 200 ``duplicate``: that is the idempotency key);
(b) a door rush compressed in time: ten stations (each in its own namespace) scan the badges, some
    badges at two stations; two stations have their link taken down for the middle third, queue their
    scans with their own time (``offline: true``) and sync when the link is back.

It checks (PASS/FAIL each), writes the figures into docs/scale.md between the markers, and exits
non-zero when a check fails. Every client runs inside a namespace: this process enters the load
namespace before it sends anything, after ``ip route get`` there showed the bridge as the only path.
Everything is torn down at the end (and leftovers of an aborted run at the start); the whole run is
bounded by ``--max-seconds`` (default 870, teardown included: the run itself is stopped 30 s before).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DOC = ROOT / "docs" / "scale.md"
BEGIN, END = "<!-- scale-test:begin -->", "<!-- scale-test:end -->"

PREFIX = "cscale"
SUBNET = "10.77.0"
BRIDGE_NS = f"{PREFIX}-sw"
APP_HOSTS = {"app1": f"{SUBNET}.11", "app2": f"{SUBNET}.12", "app3": f"{SUBNET}.13"}
DB_HOST = ("db", f"{SUBNET}.20")
LOAD_HOST = ("load", f"{SUBNET}.30")
STATIONS = {f"st{k}": f"{SUBNET}.{40 + k}" for k in range(1, 11)}
CUT_OFF = ("st9", "st10")
KILLED_HOST = "app3"
WORKER_HOSTS = ("app1", "app2")
APP_PORT, PG_PORT, REDIS_PORT, SMTP_PORT, S3_PORT = 8000, 5432, 6379, 2525, 9000
CLIENTS = 200
CLONE_NEWNET = 0x40000000
PUBLIC_HOST = "congres.scale.test"


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


# --- the parts that need neither root nor a network (tests/test_scale_test.py) -------------------

def replace_between_markers(text: str, generated: str) -> str:
    """``text`` with everything between the scale-test markers replaced by ``generated``; the rest of
    the document (the capacity plan written by hand) stays byte for byte. Missing markers are an error,
    never a silent append."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"docs/scale.md must hold {BEGIN} … {END}")
    return text[: start + len(BEGIN)] + "\n" + generated.strip("\n") + "\n" + text[end:]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Check:
    name: str
    ok: bool | None  # None: skipped (says why in detail)
    detail: str

    @property
    def label(self) -> str:
        return "SKIP" if self.ok is None else ("PASS" if self.ok else "FAIL")


@dataclass
class State:
    """What the run saw and what the database holds, in plain values (the checks read only this)."""

    capacity: int
    active: int  # registrations pending or confirmed
    workshops: dict[int, tuple[int, int]]  # session id -> (capacity, enrolled)
    acknowledged: set[str]  # e-mail addresses answered 201 or 200 "duplicate"
    stored: set[str]  # e-mail addresses in the database
    checkins: dict[int, list[datetime]]  # registration id -> scanned_at of each active check-in
    scanned: dict[int, list[datetime]]  # registration id -> client times of every scan the server took
    outbox: list[tuple[str, str, str]]  # (to, status, Message-ID) of the edition's messages
    delivered: list[tuple[str, str]]  # (to, Message-ID) as the SMTP sink received them
    periods: list[tuple[str, str]]  # (job, period) rows of job_periods during the run
    job_runs: list[tuple[str, str, str]]  # (host, job, period) of every periodic run that did its work
    files: dict[str, bool] | None = None  # host -> read back what another host wrote; None: not checked
    files_note: str = ""
    offline_earlier: int = 0  # badges whose offline scan (synced later) was earlier than an online one


def _close(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 0.001


def checks(state: State) -> list[Check]:
    out: list[Check] = []
    over = [sid for sid, (cap, enrolled) in state.workshops.items() if enrolled > cap]
    out.append(Check("0 overbooked (edition and every workshop)",
                     state.active <= state.capacity and not over,
                     f"edition {state.active}/{state.capacity}; workshops "
                     + ", ".join(f"{e}/{c}" for _s, (c, e) in sorted(state.workshops.items()))
                     + (f"; over: {over}" if over else "")))
    twice = {r: len(v) for r, v in state.checkins.items() if len(v) != 1}
    never = sorted(set(state.scanned) - set(state.checkins))
    out.append(Check("exactly-once check-in per badge", not twice and not never and bool(state.scanned),
                     f"{len(state.scanned)} badges scanned, {len(state.checkins)} checked in; "
                     f"not exactly once: {len(twice)}; scanned but not checked in: {len(never)}"))
    wrong = [r for r, times in state.scanned.items()
             if r in state.checkins and len(state.checkins[r]) == 1 and not _close(state.checkins[r][0], min(times))]
    several = sum(1 for times in state.scanned.values() if len(times) > 1)
    out.append(Check("the earliest scan's time wins (offline scans merged)", not wrong and bool(state.scanned),
                     f"{several} badges scanned more than once, {state.offline_earlier} of them first offline "
                     f"at a cut-off station and synced after a later online scan; check-in time is not the "
                     f"earliest scan: {len(wrong)}"))
    missing = {e.lower() for e in state.acknowledged} - {e.lower() for e in state.stored}
    out.append(Check("every acknowledged registration is in the database", not missing and bool(state.acknowledged),
                     f"{len(state.acknowledged)} acknowledged, {len(state.stored)} stored, missing: {len(missing)}"))
    by_id = Counter(mid for _to, mid in state.delivered)
    sent_ids = {mid for _to, status, mid in state.outbox if status == "sent"}
    per_address = Counter(to.lower() for to, _status, _mid in state.outbox)
    not_sent = [row for row in state.outbox if row[1] != "sent"]
    not_once = [mid for mid in sent_ids if by_id[mid] != 1]
    strangers = [mid for mid in by_id if mid not in sent_ids]
    without = [e for e in state.stored if per_address[e.lower()] != 1]
    out.append(Check("every confirmation mail delivered exactly once (SMTP sink vs database)",
                     not not_sent and not not_once and not strangers and not without and bool(state.outbox),
                     f"{len(state.outbox)} messages in the outbox, {len(state.delivered)} received; not sent: "
                     f"{len(not_sent)}; sent but not received exactly once: {len(not_once)}; received but not in "
                     f"the outbox: {len(strangers)}; registrations without exactly one message: {len(without)}"))
    if state.files is None:
        out.append(Check("files written on one host are read on the others", None, state.files_note))
    else:
        out.append(Check("files written on one host are read on the others", all(state.files.values()),
                         ", ".join(f"{h}: {'same bytes' if ok else 'NOT READ'}" for h, ok in state.files.items())
                         + (f" ({state.files_note})" if state.files_note else "")))
    runs = Counter((job, period) for _host, job, period in state.job_runs)
    doubled = [k for k, n in runs.items() if n > 1]
    unrecorded = [k for k in runs if k not in set(state.periods)]
    hosts = sorted({h for h, _j, _p in state.job_runs})
    out.append(Check("periodic jobs ran once per period across hosts", not doubled and not unrecorded and bool(runs),
                     f"{len(runs)} (job, period) runs by {', '.join(hosts) or 'nobody'}; ran more than once: "
                     f"{len(doubled)}; ran without its job_periods row: {len(unrecorded)}"))
    return out


_JOB_LINE = re.compile(r"job (?P<job>\S+) id=\S+ \S+ (?P<outcome>.*)$")


def job_runs_from_log(host: str, text: str, periods_by_job: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """The periodic runs a worker's log shows doing their work (not "skipped: … ran elsewhere"), each
    matched to the period it claimed: a worker's log line has no period, so runs are matched to that
    host's job_periods rows in order (the rows say which host claimed which period)."""
    found: list[tuple[str, str, str]] = []
    counts: Counter = Counter()
    for line in text.splitlines():
        m = _JOB_LINE.search(line)
        if not m or m["job"].rsplit(".", 1)[-1] not in {j.rsplit(".", 1)[-1] for j in periods_by_job}:
            continue
        if "skipped" in m["outcome"]:
            continue
        job = next(j for j in periods_by_job if j.rsplit(".", 1)[-1] == m["job"].rsplit(".", 1)[-1])
        i = counts[job]
        counts[job] += 1
        periods = periods_by_job[job]
        found.append((host, job, periods[i] if i < len(periods) else f"(unclaimed run {i + 1})"))
    return found


# --- network namespaces --------------------------------------------------------------------------

def sh(*args: str, check: bool = True, ns: str | None = None, timeout: float = 60) -> str:
    command = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()[:500]}")
    return done.stdout


def ns_name(node: str) -> str:
    return f"{PREFIX}-{node}"


def all_nodes() -> dict[str, str]:
    return {**APP_HOSTS, DB_HOST[0]: DB_HOST[1], LOAD_HOST[0]: LOAD_HOST[1], **STATIONS}


def leftover_namespaces() -> list[str]:
    out = sh("ip", "netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.split() and line.split()[0].startswith(PREFIX + "-")]


def teardown_network() -> None:
    """Every process still inside one of our namespaces (started by this script, now or in an aborted
    run: nothing else enters them) is killed by its pid, then the namespaces are deleted (their veths go
    with them)."""
    for ns in leftover_namespaces():
        pids = [int(p) for p in sh("ip", "netns", "pids", ns, check=False).split()]
        for pid in pids:
            if pid == os.getpid():
                continue  # this process, when it has entered the load namespace
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        sh("ip", "netns", "del", ns, check=False)


def build_network() -> None:
    sh("ip", "netns", "add", BRIDGE_NS)
    sh("ip", "link", "set", "lo", "up", ns=BRIDGE_NS)
    sh("ip", "link", "add", "br0", "type", "bridge", ns=BRIDGE_NS)
    sh("ip", "link", "set", "br0", "up", ns=BRIDGE_NS)
    for node, address in all_nodes().items():
        ns = ns_name(node)
        sh("ip", "netns", "add", ns)
        # Both ends are made inside their namespaces: nothing of it appears in the root namespace.
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", f"p-{node}", "netns", BRIDGE_NS)
        sh("ip", "link", "set", f"p-{node}", "master", "br0", ns=BRIDGE_NS)
        sh("ip", "link", "set", f"p-{node}", "up", ns=BRIDGE_NS)
        sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("ip", "addr", "add", f"{address}/24", "dev", "eth0", ns=ns)
        sh("ip", "link", "set", "eth0", "up", ns=ns)


def route_problems(node: str, targets: Iterable[str]) -> list[str]:
    """Every target must be reached from ``node`` straight over its veth on the bridge (``dev eth0``,
    no gateway); anything else is a reason to refuse to start."""
    problems = []
    for target in targets:
        out = sh("ip", "route", "get", target, ns=ns_name(node), check=False).strip()
        if " via " in out or "dev eth0" not in out:
            problems.append(f"{node} → {target}: {out or 'no route'}")
    return problems


def wait_for_path(node: str, targets: Iterable[str], timeout: float = 10) -> None:
    """Wait until the bridge forwards: a TCP connection to a closed port of each target must be
    refused (the target answered) rather than time out (no ping on this machine)."""
    probe = ("import socket, sys\n"
             "for t in sys.argv[1:]:\n"
             "    s = socket.socket(); s.settimeout(1)\n"
             "    try: s.connect((t, 9))\n"
             "    except ConnectionRefusedError: continue\n"
             "    except OSError: sys.exit(1)\n")
    deadline = time.monotonic() + timeout
    while subprocess.run(["ip", "netns", "exec", ns_name(node), PYTHON, "-c", probe, *targets],
                         capture_output=True, timeout=30, check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(targets)} do not answer from {node}")
        time.sleep(0.2)


def enter_namespace(node: str) -> None:
    """Move the calling thread (and every thread it starts afterwards) into ``node``'s namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{ns_name(node)}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {ns_name(node)}")
    finally:
        os.close(fd)
    mine = os.stat(f"/proc/self/task/{threading.get_native_id()}/ns/net").st_ino
    if mine != os.stat(f"/run/netns/{ns_name(node)}").st_ino:
        raise RuntimeError(f"this thread is not in {ns_name(node)}")


# --- processes and their CPU ---------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / TICKS


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and every live descendant (a dead one counts in its reaper's c-times)."""
    children: dict[int, list[int]] = defaultdict(list)
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None:
                children[st[0]].append(int(entry.name))
                cpu[int(entry.name)] = st[1]
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


class CpuMeter(threading.Thread):
    """Samples each host's process trees every second, keeping the highest total per tree (a killed
    tree keeps what it had used)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.trees: dict[str, dict[int, float]] = defaultdict(dict)  # host -> root pid -> CPU s
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def watch(self, host: str, pid: int) -> None:
        with self.lock:
            self.trees[host].setdefault(pid, 0.0)

    def sample(self) -> None:
        with self.lock:
            for roots in self.trees.values():
                for pid in roots:
                    roots[pid] = max(roots[pid], tree_cpu(pid))

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            self.sample()

    def totals(self) -> dict[str, float]:
        self.sample()
        with self.lock:
            return {host: sum(roots.values()) for host, roots in self.trees.items()}


@dataclass
class Service:
    name: str
    host: str
    process: subprocess.Popen
    logfile: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, wait: float = 15) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Cluster:
    def __init__(self, work: Path, storage: str, meter: CpuMeter) -> None:
        self.work = work
        self.storage = storage
        self.meter = meter
        self.services: list[Service] = []
        self.pg_dir = work / "pg"
        db = DB_HOST[1]
        self.database_url = f"postgresql://postgres@{db}:{PG_PORT}/congress_scale"
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith(("TEST_", "RATELIMIT", "REDIS", "DATABASE", "MAIL_", "STORAGE", "AWS_"))},
            "CONGRESS_ENV": "production", "FLASK_DEBUG": "0",
            "SECRET_KEY": "scale-test-secret-key-0123456789abcdef0123456789abcdef",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://{db}:{REDIS_PORT}/0",
            "PUBLIC_BASE_URL": f"http://{PUBLIC_HOST}",  # one public name, as behind a load balancer
            "TRUSTED_HOSTS": ",".join(APP_HOSTS.values()),
            "FORCE_HTTPS": "0", "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0",
            "MAIL_SERVER": db, "MAIL_PORT": str(SMTP_PORT), "MAIL_TIMEOUT": "10",
            "MAIL_RETRY_BASE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
        }
        if storage == "s3":
            self.env.update({"STORAGE_URL": "s3://congres-scale/files", "AWS_ENDPOINT_URL": f"http://{db}:{S3_PORT}",
                             "S3_ENDPOINT_URL": f"http://{db}:{S3_PORT}", "AWS_ACCESS_KEY_ID": "scale",
                             "AWS_SECRET_ACCESS_KEY": "scale-secret", "AWS_DEFAULT_REGION": "us-east-1"})

    def host_env(self, host: str) -> dict[str, str]:
        instance = self.work / host / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        return {**self.env, "CONGRESS_INSTANCE_DIR": str(instance), "HUEY_SQLITE_PATH": str(instance / "huey.db")}

    def spawn(self, name: str, host: str, command: list[str], *, env: dict | None = None,
              hostname: str | None = None, as_user: str | None = None) -> Service:
        logfile = self.work / f"{name}.log"
        prefix = ["ip", "netns", "exec", ns_name(host)]
        if hostname:
            # Its own host name (job_periods.host, the logs), as on a machine of its own: the UTS
            # namespace is not shared by ip netns.
            prefix += ["unshare", "--uts", "sh", "-c", f'hostname {hostname} && exec "$@"', "sh"]
        if as_user:
            prefix += ["runuser", "-u", as_user, "--"]
        process = subprocess.Popen(prefix + command, cwd=ROOT, env=env or self.env, stdout=logfile.open("w"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        service = Service(name, host, process, logfile)
        self.services.append(service)
        self.meter.watch(host, process.pid)
        return service

    def run_in(self, host: str, code: str, timeout: float = 300) -> str:
        done = subprocess.run(["ip", "netns", "exec", ns_name(host), PYTHON, "-c", code], cwd=ROOT,
                              env=self.host_env(host), capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"on {host}: {done.stderr[-2500:]}")
        return done.stdout

    # -- the database host --

    def start_database_host(self) -> None:
        pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        data = self.pg_dir / "data"
        data.mkdir(parents=True)
        (self.pg_dir / "socket").mkdir()
        subprocess.run(["chown", "-R", "postgres:postgres", str(self.pg_dir)], check=True)
        subprocess.run(["runuser", "-u", "postgres", "--", str(pgbin / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "postgres", "-E", "UTF8"], capture_output=True, check=True, timeout=120)
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 trust\n")
        pg = self.spawn("postgresql", "db", [
            str(pgbin / "postgres"), "-D", str(data), "-p", str(PG_PORT), "-k", str(self.pg_dir / "socket"),
            "-c", f"listen_addresses={DB_HOST[1]},127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "max_connections=300"], as_user="postgres")
        self.spawn("redis", "db", ["redis-server", "--port", str(REDIS_PORT), "--bind", DB_HOST[1], "--save", "",
                                   "--appendonly", "no", "--dir", str(self.work), "--protected-mode", "no"])
        self.spawn("smtp-sink", "db", [PYTHON, str(Path(__file__).resolve()), "--smtp-sink",
                                       str(self.work / "smtp.jsonl")])
        if self.storage == "s3":
            self.spawn("s3", "db", [str(BIN / "moto_server") if (BIN / "moto_server").exists() else "moto_server",
                                    "-H", DB_HOST[1], "-p", str(S3_PORT)])
        deadline = time.monotonic() + 60
        while sh(str(pgbin / "pg_isready"), "-h", DB_HOST[1], "-p", str(PG_PORT), ns=ns_name("db"), check=False,
                 timeout=10).find("accepting") < 0:
            if not pg.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {pg.logfile.read_text()[-1500:]}")
            time.sleep(0.3)
        sh(str(pgbin / "psql"), "-h", DB_HOST[1], "-p", str(PG_PORT), "-U", "postgres", "-qc",
           "CREATE DATABASE congress_scale", ns=ns_name("db"))

    # -- the app hosts --

    def start_gunicorn(self, host: str) -> Service:
        address = APP_HOSTS[host]
        return self.spawn(f"gunicorn-{host}-{int(time.time())}", host, [
            str(BIN / "gunicorn"), "--workers", "2", "--bind", f"{address}:{APP_PORT}", "--timeout", "60",
            "--graceful-timeout", "5", "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
            env=self.host_env(host), hostname=host)

    def start_worker(self, host: str) -> Service:
        return self.spawn(f"worker-{host}", host, [str(BIN / "flask"), "--app", "wsgi", "congress", "worker",
                                                   "--processes", "1"], env=self.host_env(host), hostname=host)

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop(signal.SIGINT if service.name == "postgresql" else signal.SIGTERM)


# --- the load (runs inside the load namespace) ---------------------------------------------------

@dataclass
class Answer:
    host: str
    status: int | str
    seconds: float
    at: float


@dataclass
class Rush:
    acknowledged: set[str] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)
    final: dict[str, int | str] = field(default_factory=dict)
    retried_elsewhere: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def wait_http(address: str, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if requests.get(f"http://{address}:{APP_PORT}/healthz", timeout=3).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{address} did not answer /healthz")


def registration_opening(setup: dict, count: int, kill, seed: int) -> tuple[Rush, dict]:
    """``count`` registrations from CLIENTS threads; ``kill()`` is called once half are acknowledged."""
    rng = random.Random(seed)
    hosts = list(APP_HOSTS)
    rush = Rush()
    local = threading.local()
    headers = {"Authorization": f"Bearer {setup['registrations']}"}
    plans = []
    for i in range(count):
        choices = [rng.choice(round_) for round_ in setup["rounds"]]
        plans.append((i, {
            "name": f"Deelnemer {i} Schaal", "email": f"schaal-{i}@example.org", "organisation": "Gemeente Zwolle",
            "sector": "gemeente", "consent_privacy": True, "language": "nl" if i % 4 else "en",
            "confirmed": i % setup["ticket_every"] == 0, "sessions": choices, "answers": {}}))
    events: dict = {}
    half = threading.Event()
    done = threading.Event()

    def one(plan: tuple[int, dict]) -> None:
        i, body = plan
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        start_host = i % len(hosts)
        deadline = time.monotonic() + 180
        attempt = 0
        while time.monotonic() < deadline and not done.is_set():
            host = hosts[(start_host + attempt) % len(hosts)]
            attempt += 1
            if attempt > len(hosts) and attempt % len(hosts) == 1:
                time.sleep(0.5)  # no host answered: a moment before the next round
            sent = time.monotonic()
            try:
                r = session.post(f"http://{APP_HOSTS[host]}:{APP_PORT}/api/v1/congresses/{setup['slug']}/registrations",
                                 json=body, headers=headers, timeout=60)
            except requests.RequestException:
                with rush.lock:
                    rush.answers.append(Answer(host, "no answer", time.monotonic() - sent, sent))
                    rush.final[body["email"]] = "no answer"
                    rush.retried_elsewhere += 1
                continue  # the same registration to the next host
            status = r.status_code
            duplicate = status == 200 and bool(r.json().get("duplicate"))
            with rush.lock:
                rush.answers.append(Answer(host, status, time.monotonic() - sent, sent))
                rush.final[body["email"]] = status
                if status == 201 or duplicate:
                    rush.acknowledged.add(body["email"])
                    if len(rush.acknowledged) >= count // 2:
                        half.set()
            if status in (502, 503, 504):
                time.sleep(0.2)
                continue
            return

    def killer() -> None:
        if half.wait(timeout=600) and not done.is_set():
            events["killed at"] = datetime.now(UTC)
            events["acknowledged when killed"] = len(rush.acknowledged)
            events["killed after s"] = time.monotonic() - started
            kill()

    started = time.monotonic()
    watcher = threading.Thread(target=killer, daemon=True)
    watcher.start()
    pool = ThreadPoolExecutor(CLIENTS)
    try:
        list(pool.map(one, plans))
    finally:
        done.set()  # also when the run is stopped: the clients give up, nobody waits for the queue
        pool.shutdown(wait=False, cancel_futures=True)
    events["seconds"] = time.monotonic() - started
    half.set()
    watcher.join(timeout=30)
    return rush, events


@dataclass
class StationLog:
    name: str
    node: str
    scans: list[tuple[int, str, datetime, bool]] = field(default_factory=list)  # (reg id, nonce, client time, offline)
    answers: Counter = field(default_factory=Counter)
    queued_max: int = 0
    synced_at: float | None = None  # monotonic: the queue was empty again after the cut
    latencies: list[float] = field(default_factory=list)


def door_rush(setup: dict, badges: list[tuple[int, str]], seconds: float, seed: int,
              cut: tuple[float, float]) -> tuple[list[StationLog], dict]:
    """Ten station threads, each in its station's namespace, scan ``badges`` spread over ``seconds``;
    the cut-off stations lose their link from ``cut[0]`` to ``cut[1]`` (fractions of ``seconds``)."""
    rng = random.Random(seed)
    names = list(STATIONS)
    schedules: dict[str, list[tuple[float, int, str]]] = {n: [] for n in names}
    cut_from, cut_to = cut[0] * seconds, cut[1] * seconds
    for i, (reg, code) in enumerate(badges):
        station = names[i % len(names)]
        at = rng.uniform(0, seconds)
        if station in CUT_OFF and (i // len(names)) % 3 == 0:
            at = rng.uniform(cut_from, cut_to - 3)  # scanned offline; an online station scans it again later
            other = names[(i + 1) % (len(names) - len(CUT_OFF))]
            schedules[other].append((min(at + rng.uniform(0.5, 2.5), cut_to - 0.2), reg, code))
        elif i % 10 == 3:
            schedules[names[(i + 3) % len(names)]].append((min(at + rng.uniform(1, 5), seconds), reg, code))
        schedules[station].append((at, reg, code))
    logs = {n: StationLog(setup["stations"][n]["name"], n) for n in names}
    started = time.monotonic() + 1.0
    events: dict = {}
    hosts = list(APP_HOSTS.values())

    def station(name: str) -> None:
        enter_namespace(name)  # this thread's sockets are the station's, on its own link
        slog = logs[name]
        session = requests.Session()
        headers = {"Authorization": f"Bearer {setup['stations'][name]['token']}"}
        queue: list[dict] = []
        first = names.index(name) % len(hosts)

        def send(body: dict) -> bool:
            for k in range(len(hosts)):
                host = hosts[(first + k) % len(hosts)]
                sent = time.monotonic()
                try:
                    r = session.post(f"http://{host}:{APP_PORT}/api/v1/checkins", json=body, headers=headers,
                                     timeout=(1.5, 10))
                except requests.RequestException:
                    continue
                slog.latencies.append(time.monotonic() - sent)
                slog.answers[r.json().get("result", r.status_code) if r.status_code == 200 else r.status_code] += 1
                return r.status_code == 200
            return False

        def flush() -> None:
            while queue:
                if not send(queue[0]):
                    return
                queue.pop(0)
            if slog.synced_at is None and slog.queued_max:
                slog.synced_at = time.monotonic()

        for at, reg, code in sorted(schedules[name]):
            delay = started + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            flush()
            when = datetime.now(UTC)
            body = {"code": code, "nonce": uuid.uuid4().hex, "scanned_at": when.isoformat().replace("+00:00", "Z")}
            slog.scans.append((reg, body["nonce"], when, False))
            if queue or not send(body):
                body["offline"] = True  # queued with its own time, synced when the link is back
                slog.scans[-1] = (reg, body["nonce"], when, True)
                queue.append(body)
                slog.queued_max = max(slog.queued_max, len(queue))
        deadline = time.monotonic() + 90
        while queue and time.monotonic() < deadline:
            flush()
            if queue:
                time.sleep(0.5)
        slog.answers["never sent"] += len(queue)

    def cutter() -> None:
        time.sleep(max(0.0, started + cut_from - time.monotonic()))
        for node in CUT_OFF:
            sh("ip", "link", "set", "eth0", "down", ns=ns_name(node))
        events["cut at s"] = time.monotonic() - started
        time.sleep(max(0.0, started + cut_to - time.monotonic()))
        for node in CUT_OFF:
            sh("ip", "link", "set", "eth0", "up", ns=ns_name(node))
        events["back at s"] = time.monotonic() - started
        events["back at"] = time.monotonic()

    threads = [threading.Thread(target=station, args=(n,), daemon=True) for n in names]
    threads.append(threading.Thread(target=cutter, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    events["seconds"] = time.monotonic() - started
    return list(logs.values()), events


# --- the SMTP sink (runs inside the database namespace) ------------------------------------------

def smtp_sink(path: str) -> None:
    out = open(path, "a", buffering=1)  # noqa: SIM115 - one line per message, for as long as it runs
    lock = threading.Lock()

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            with lock:
                for to in envelope.rcpt_tos:
                    out.write(json.dumps({"to": to.lower(), "id": str(message.get("Message-ID", "")),
                                          "at": time.time(), "pdf": any(
                                              p.get_content_type() == "application/pdf" for p in message.walk())})
                              + "\n")
            return "250 OK"

    controller = Controller(Recorder(), hostname=DB_HOST[1], port=SMTP_PORT)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


# --- the run -------------------------------------------------------------------------------------

PREPARE = """
import json
from wsgi import app
from congress.accounts import services as accounts
from congress.checkin import services as checkin
from congress.extensions import db
from congress.registration import services as registration
from tests.registration.factories import add_round, open_congress
capacity, workshop = {capacity}, {workshop}
with app.app_context():
    c = open_congress('schaal-2025', capacity=capacity)
    registration.set_waiting_list(c, True)
    db.session.commit()
    rounds = []
    for r, (start, end) in enumerate((('10:00', '11:00'), ('13:00', '14:00'))):
        _round, sessions = add_round(c, f'Ronde {{r + 1}}', capacities=(workshop,) * 3, start=start, end=end)
        rounds.append([s.id for s in sessions])
    token = accounts.create_api_token('schaal', 'registrations').secret
    stations = {{}}
    for k, node in enumerate({stations!r}):
        station, secret = checkin.create_station(c, f'Deur {{k + 1}}')
        stations[node] = {{'name': station.name, 'token': secret}}
    db.session.commit()
    print(json.dumps({{'slug': c.slug, 'id': c.id, 'registrations': token, 'rounds': rounds,
                      'stations': stations}}))
"""

BADGES = """
import json
import sqlalchemy as sa
from wsgi import app
from congress.extensions import db
from congress.badges import services as badges
from congress.registration.models import Registration
with app.app_context():
    regs = db.session.scalars(sa.select(Registration).where(Registration.congress_id == {cid},
        Registration.status.in_(('pending', 'confirmed'))).order_by(Registration.id).limit({n})).all()
    codes = badges.issue_codes(regs)  # one write transaction, as a print run issues them
    print(json.dumps([(r.id, codes[r.id]) for r in regs]))
"""

FILE_PUT = """
from wsgi import app
from congress.storage import storage
with app.app_context():
    storage('archive').put({key!r}, {data!r})
print('ok')
"""

FILE_GET = """
from wsgi import app
from congress.storage import storage
with app.app_context():
    print('same' if storage('archive').read({key!r}) == {data!r} else 'different')
"""


def minutes_without(periods: list[str], start: datetime, end: datetime) -> list[str]:
    """The whole minutes from ``start`` to ``end`` (UTC) that have no period in ``periods``
    ("2026-12-04T22:18"): a once-a-minute job that did not run then (late, or not at all)."""
    have = set(periods)
    minute = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    missing = []
    while minute + timedelta(minutes=1) <= end:
        key = minute.strftime("%Y-%m-%dT%H:%M")
        if key not in have:
            missing.append(key)
        minute += timedelta(minutes=1)
    return missing


def s3_supported() -> bool:
    return "STORAGE_URL" in (ROOT / "config.py").read_text()


def query(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(args: argparse.Namespace, results: dict) -> list[Check]:
    work = Path(tempfile.mkdtemp(prefix="congress-scale-"))
    os.chmod(work, 0o755)  # noqa: S103 - the postgres user must reach its data directory inside
    meter = CpuMeter()
    meter.start()
    cluster = Cluster(work, args.storage, meter)
    results["load average at start"] = load_average()
    try:
        log("network: namespaces, veth pairs, bridge in " + BRIDGE_NS)
        build_network()
        targets = [*APP_HOSTS.values(), DB_HOST[1]]
        problems = route_problems("load", targets) + [
            p for node in STATIONS for p in route_problems(node, APP_HOSTS.values())] + [
            p for node in APP_HOSTS for p in route_problems(node, [DB_HOST[1]])]
        if problems:
            raise SystemExit("refusing to start: a path other than the bridge:\n  " + "\n  ".join(problems))
        results["route from the load namespace"] = sh("ip", "route", "get", APP_HOSTS["app1"],
                                                      ns=ns_name("load")).split("\n")[0].strip()
        wait_for_path("load", targets)
        wait_for_path("app1", [DB_HOST[1]])
        log("database host: PostgreSQL, Redis, SMTP sink" + (", S3 (moto)" if args.storage == "s3" else ""))
        cluster.start_database_host()
        log("migrations (from app1)")
        subprocess.run(["ip", "netns", "exec", ns_name("app1"), str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
                       cwd=ROOT, env=cluster.host_env("app1"), capture_output=True, check=True, timeout=300)
        capacity = int(args.registrations * 0.8)
        workshop = max(10, int(capacity * 0.3))
        setup = json.loads(cluster.run_in("app1", PREPARE.format(
            capacity=capacity, workshop=workshop, stations=list(STATIONS))).strip().splitlines()[-1])
        setup["ticket_every"] = args.ticket_every
        results.update({"capacity": capacity, "workshop capacity": workshop})
        gunicorns = {host: cluster.start_gunicorn(host) for host in APP_HOSTS}
        workers_started = datetime.now(UTC)
        workers = {host: cluster.start_worker(host) for host in WORKER_HOSTS}

        # From here on this process is the load host: it sends nothing from the root namespace.
        enter_namespace("load")
        out = subprocess.run(["ip", "route", "get", APP_HOSTS["app1"]], capture_output=True, text=True).stdout
        if " via " in out or "dev eth0" not in out:
            raise SystemExit(f"refusing to start: not in the load namespace ({out.strip()})")
        for host, address in APP_HOSTS.items():
            if not gunicorns[host].alive():
                raise RuntimeError(f"gunicorn on {host} exited: {gunicorns[host].logfile.read_text()[-1500:]}")
            wait_http(address)
        engine = sa.create_engine(cluster.database_url.replace("postgresql://", "postgresql+psycopg://"))
        cpu_before = meter.totals()

        # (a) + (c)
        log(f"(a) registration opening: {args.registrations} registrations from {CLIENTS} clients over 3 hosts; "
            f"(c) {KILLED_HOST}'s gunicorn killed at half")

        def kill() -> None:
            target = gunicorns[KILLED_HOST]
            log(f"(c) SIGKILL to {KILLED_HOST}'s gunicorn (pid {target.process.pid}, master and workers)")
            os.killpg(target.process.pid, signal.SIGKILL)

        rush, events = registration_opening(setup, args.registrations, kill, args.seed)
        cpu_after_rush = meter.totals()
        results["rush"] = rush
        results["rush events"] = events
        results["cpu rush"] = {h: cpu_after_rush.get(h, 0) - cpu_before.get(h, 0) for h in cpu_after_rush}
        results["load average after the rush"] = load_average()
        log(f"(a) {len(rush.acknowledged)} acknowledged in {events['seconds']:.1f} s; restarting {KILLED_HOST}")
        restarted = time.monotonic()
        gunicorns[KILLED_HOST] = cluster.start_gunicorn(KILLED_HOST)
        wait_http(APP_HOSTS[KILLED_HOST])
        events["restart to healthy s"] = time.monotonic() - restarted

        # (b)
        cid = setup["id"]
        badges = json.loads(cluster.run_in("app1", BADGES.format(cid=cid, n=args.scans)).strip().splitlines()[-1])
        door_seconds = args.door_seconds or max(30.0, len(badges) / 40)
        log(f"(b) door rush: {len(badges)} badges at 10 stations in {door_seconds:.0f} s; "
            f"{', '.join(CUT_OFF)} cut off for the middle third")
        cpu_before_door = meter.totals()
        stations, door = door_rush(setup, [tuple(b) for b in badges], door_seconds, args.seed, (1 / 3, 2 / 3))
        cpu_after_door = meter.totals()
        results["door"] = (stations, door)
        results["cpu door"] = {h: cpu_after_door.get(h, 0) - cpu_before_door.get(h, 0) for h in cpu_after_door}
        results["badges"] = len(badges)

        # mail: until the outbox is drained (bounded)
        log("mail: waiting for the outbox to drain")
        drain_started = time.monotonic()
        mail_budget = min(args.mail_seconds, args.deadline - time.monotonic() - 60)
        while time.monotonic() - drain_started < mail_budget:
            left = query(engine, "SELECT count(*) FROM mail_outbox WHERE status IN ('queued', 'sending')")[0][0]
            if not left:
                break
            time.sleep(1)
        results["mail drain wait s"] = time.monotonic() - drain_started
        results["workers alive"] = {h: w.alive() for h, w in workers.items()}

        # files
        if args.storage == "s3" and s3_supported():
            requests.put(f"http://{DB_HOST[1]}:{S3_PORT}/congres-scale", timeout=10)
            key, data = f"scale/{uuid.uuid4().hex}.txt", os.urandom(2048)
            cluster.run_in("app1", FILE_PUT.format(key=key, data=data))
            files = {h: cluster.run_in(h, FILE_GET.format(key=key, data=data)).strip().endswith("same")
                     for h in ("app2", "app3")}
            files_note = "written through the storage interface on app1, read on app2 and app3 (STORAGE_URL=s3://…)"
        else:
            files = None
            files_note = ("not checked: this checkout's storage is the local directory only (no STORAGE_URL in "
                          "config.py); run with --storage s3 once the S3 backend is merged"
                          if not s3_supported() else "not checked: run with --storage s3")

        # what the database holds
        log("collecting")
        meter.sample()
        rows = query(engine, "SELECT lower(email), status FROM registrations WHERE congress_id = :c", c=cid)
        stored = {r[0] for r in rows}
        statuses = Counter(r[1] for r in rows)
        workshops = {r[0]: (r[1], r[2]) for r in query(engine, (
            "SELECT s.id, s.capacity, (SELECT count(*) FROM registration_enrolments e JOIN registrations g "
            "ON g.id = e.registration_id WHERE e.session_id = s.id AND e.status = 'enrolled' "
            "AND g.status IN ('pending', 'confirmed')) FROM programme_sessions s WHERE s.congress_id = :c"), c=cid)}
        checkins: dict[int, list[datetime]] = defaultdict(list)
        for reg, at in query(engine, "SELECT registration_id, scanned_at FROM checkins WHERE congress_id = :c "
                                     "AND undone_at IS NULL AND list_key = 'venue'", c=cid):
            checkins[reg].append(at if at.tzinfo else at.replace(tzinfo=UTC))
        taken = {r[0] for r in query(engine, "SELECT nonce FROM checkin_scans WHERE congress_id = :c", c=cid)}
        scanned: dict[int, list[datetime]] = defaultdict(list)
        offline_times: dict[int, list[datetime]] = defaultdict(list)
        online_times: dict[int, list[datetime]] = defaultdict(list)
        for slog in stations:
            for reg, nonce, when, offline in slog.scans:
                if nonce in taken:
                    scanned[reg].append(when)
                    (offline_times if offline else online_times)[reg].append(when)
        offline_earlier = sum(1 for reg, times in offline_times.items()
                              if online_times.get(reg) and min(times) < min(online_times[reg]))
        outbox = [(r[0], r[1], r[2] or "") for r in query(
            engine, "SELECT lower(to_address), status, message_id_header FROM mail_outbox WHERE congress_id = :c",
            c=cid)]
        mail_times = query(engine, "SELECT min(created_at), max(sent_at) FROM mail_outbox WHERE congress_id = :c",
                           c=cid)[0]
        delivered_lines = [json.loads(line) for line in (work / "smtp.jsonl").read_text().splitlines() if line]
        delivered = [(d["to"], d["id"]) for d in delivered_lines]
        periods_rows = query(engine, "SELECT job, period, host FROM job_periods WHERE claimed_at >= :t ORDER BY id",
                             t=workers_started - timedelta(seconds=5))
        periods = [(r[0], r[1]) for r in periods_rows]
        job_runs = []
        for host, worker in workers.items():
            by_job: dict[str, list[str]] = defaultdict(list)
            for job, period, claimed_by in periods_rows:
                if claimed_by == host:
                    by_job[job].append(period)
            for job, _period, _h in periods_rows:
                by_job.setdefault(job, [])
            job_runs += job_runs_from_log(host, worker.logfile.read_text(errors="replace"), by_job)
        results.update({
            "statuses": dict(statuses), "stations": stations, "outbox by status": dict(Counter(o[1] for o in outbox)),
            "mail times": mail_times, "delivered": len(delivered),
            "with pdf": sum(1 for d in delivered_lines if d.get("pdf")),
            "smtp span": (min((d["at"] for d in delivered_lines), default=0),
                          max((d["at"] for d in delivered_lines), default=0)),
            "periods": periods_rows, "cpu total": meter.totals(),
            "minutes without send_due_mail": minutes_without(
                [p for j, p, _h in periods_rows if j.endswith(".send_due_mail")], workers_started, datetime.now(UTC)),
            "load average at the end": load_average(),
            "tracebacks": {s.name: s.logfile.read_text(errors="replace").count("Traceback")
                           for s in cluster.services if s.logfile.exists()},
        })
        state = State(capacity=capacity, active=statuses.get("pending", 0) + statuses.get("confirmed", 0),
                      workshops=workshops, acknowledged=rush.acknowledged, stored=stored, checkins=dict(checkins),
                      scanned=dict(scanned), outbox=outbox, delivered=delivered, periods=periods,
                      job_runs=job_runs, files=files, files_note=files_note, offline_earlier=offline_earlier)
        engine.dispose()
        return checks(state)
    finally:
        signal.alarm(0)  # the teardown is not interrupted
        log("teardown")
        meter.stopping.set()
        cluster.stop_all()
        teardown_network()
        if args.keep:
            log(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- the report ----------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f}"


def report(args: argparse.Namespace, results: dict, outcome: list[Check], seconds: float) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    lines = [
        f"Written by `make scale-test` (scripts/scale_test.py) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
        f"`{commit}`, in {seconds:.0f} s, with `--registrations {args.registrations} --scans {args.scans}`"
        f"{' --storage s3' if args.storage == 's3' else ''}. The machine has 2 cores shared with other work: load "
        f"average {results.get('load average at start', '?')} at the start, "
        f"{results.get('load average after the rush', '?')} after the registration opening, "
        f"{results.get('load average at the end', '?')} at the end; wall-clock figures below include that "
        "queue for the CPU, the CPU seconds do not.",
        "",
        "**The network.** One Linux network namespace per machine: `app1`–`app3` (10.77.0.11–13, gunicorn with 2 "
        "sync workers and production settings; the worker `flask congress worker --processes 1` on app1 and app2 "
        "at once), `db` (10.77.0.20: PostgreSQL 15, Redis 7 for the job queue, an SMTP sink recording every "
        "message), `load` (10.77.0.30, the 200 registration clients) and ten stations `st1`–`st10` "
        "(10.77.0.41–50), each joined by a veth pair to a bridge in a namespace of its own. The run refuses to "
        "start unless `ip route get` shows the bridge (`dev eth0`, no gateway) from the load namespace, from every "
        f"station and from every app host; here: `{results.get('route from the load namespace', '?')}`.",
        "",
        "## Checks",
        "",
        "| check | result | detail |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {c.name} | **{c.label}** | {c.detail} |" for c in outcome]
    rush: Rush | None = results.get("rush")
    if rush is not None:
        events = results.get("rush events", {})
        ok = [a for a in rush.answers if isinstance(a.status, int) and 200 <= a.status < 300]
        span = events.get("seconds", 0) or 1
        lines += ["", "## (a) Registration opening and (c) host loss", "",
                  f"{args.registrations} people register through `POST /api/v1/congresses/<slug>/registrations` from "
                  f"{CLIENTS} client threads in the load namespace, client *i* starting at host *i* mod 3, each with "
                  f"one workshop choice in each of two rounds of three workshops ({results.get('workshop capacity')} "
                  f"seats each), edition capacity {results.get('capacity')} with a waiting list; one in "
                  f"{args.ticket_every} is sent `confirmed: true` (its mail carries the e-ticket PDF), the others "
                  "are pending until they click the link in their mail (they hold their place meanwhile). A client "
                  "that gets no answer sends the same registration to the next host: the e-mail address is the "
                  "idempotency key (the API answers an address already registered with 200 and `duplicate`).", "",
                  f"- {len(rush.acknowledged)} acknowledged in {span:.1f} s: **{len(rush.acknowledged) / span:.0f} "
                  f"registrations/s**; statuses in the database: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(results.get("statuses", {}).items())),
                  f"- killed: {KILLED_HOST}'s gunicorn (master and both workers, SIGKILL) at "
                  f"{events.get('killed at', datetime.now(UTC)):%H:%M:%S} UTC, {events.get('killed after s', 0):.1f} s "
                  f"into the opening, when {events.get('acknowledged when killed', '?')} were acknowledged; "
                  f"{rush.retried_elsewhere} requests got no answer and were sent to another host; restarted after "
                  f"the opening, healthy again in {events.get('restart to healthy s', 0):.1f} s",
                  "- answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(str(a.status) for a in rush.answers)
                                                                          .items())),
                  "", "| host | 2xx answers | p50 ms | p95 ms | p99 ms | CPU s in the opening |",
                  "| --- | --- | --- | --- | --- | --- |"]
        cpu = results.get("cpu rush", {})
        for host in APP_HOSTS:
            lat = [a.seconds for a in ok if a.host == host]
            lines.append(f"| {host} | {len(lat)} | {_ms(percentile(lat, 50))} | {_ms(percentile(lat, 95))} | "
                         f"{_ms(percentile(lat, 99))} | {cpu.get(host, 0):.1f} |")
        lat = [a.seconds for a in ok]
        lines.append(f"| all | {len(lat)} | {_ms(percentile(lat, 50))} | {_ms(percentile(lat, 95))} | "
                     f"{_ms(percentile(lat, 99))} | db host: {cpu.get('db', 0):.1f} |")
        app_cpu = sum(cpu.get(h, 0) for h in APP_HOSTS)
        if rush.acknowledged:
            lines += ["", f"CPU per registration (the opening, workers' mail composing included on app1/app2): "
                      f"app hosts {app_cpu / len(rush.acknowledged) * 1000:.1f} ms, database host "
                      f"{cpu.get('db', 0) / len(rush.acknowledged) * 1000:.1f} ms."]
    door = results.get("door")
    if door is not None:
        stations, events = door
        scans = sum(len(s.scans) for s in stations)
        lat = [x for s in stations for x in s.latencies]
        lines += ["", "## (b) Door rush", "",
                  f"{results.get('badges')} badges (one in ten scanned at a second station too, and every fifth badge "
                  f"of a cut-off station scanned again at an online station while it was cut off) at ten stations "
                  f"with their own station tokens, each station a thread inside its own namespace, over "
                  f"{events.get('seconds', 0):.0f} s. Every scan carries its client time and a nonce. "
                  f"{' and '.join(CUT_OFF)} had their link taken down (`ip link set eth0 down` in their namespace) "
                  f"from {events.get('cut at s', 0):.1f} s to {events.get('back at s', 0):.1f} s: they queued their "
                  "scans (`offline: true`, their own time) and sent them when the link was back; the server merges "
                  "them earliest-wins.", "",
                  f"- {scans} scans, **{scans / max(events.get('seconds', 1), 1):.0f} scans/s** offered "
                  f"(compressed door); answer p50 {_ms(percentile(lat, 50))} ms, p95 {_ms(percentile(lat, 95))} ms, "
                  f"p99 {_ms(percentile(lat, 99))} ms",
                  "", "| station | scans | offline | queued at most | synced after the link came back | answers |",
                  "| --- | --- | --- | --- | --- | --- |"]
        back = events.get("back at")
        for s in stations:
            offline = sum(1 for x in s.scans if x[3])
            sync = f"{s.synced_at - back:.2f} s" if (s.synced_at and back and s.queued_max) else "—"
            lines.append(f"| {s.name} ({s.node}) | {len(s.scans)} | {offline} | {s.queued_max} | {sync} | "
                         + ", ".join(f"{k}: {v}" for k, v in sorted(s.answers.items(), key=str) if v) + " |")
        cpu = results.get("cpu door", {})
        lines += ["", "CPU s during the door rush: " + ", ".join(f"{h} {cpu.get(h, 0):.1f}" for h in [*APP_HOSTS, "db"])
                  + (f"; per scan: app hosts {sum(cpu.get(h, 0) for h in APP_HOSTS) / scans * 1000:.1f} ms, database "
                     f"host {cpu.get('db', 0) / scans * 1000:.1f} ms." if scans else ".")]
    if "outbox by status" in results:
        first, last = results.get("mail times", (None, None))
        start_at, end_at = results.get("smtp span", (0, 0))
        delivered = results.get("delivered", 0)
        mail_rate = delivered / (end_at - start_at) if end_at > start_at else 0
        lines += ["", "## Mail and periodic jobs", "",
                  f"- {delivered} messages received by the SMTP sink ({results.get('with pdf', 0)} with the e-ticket "
                  f"PDF), first to last **{mail_rate:.1f} mails/s** by the two workers (app1 and app2 on Redis); "
                  "outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(results["outbox by status"].items()))
                  + f"; waited {results.get('mail drain wait s', 0):.0f} s after the door rush for the outbox to drain",
                  f"- workers still running at the end: {results.get('workers alive')}",
                  "- periodic jobs during the run (job_periods: who claimed each period): "
                  + ", ".join(f"{job.rsplit('.', 1)[-1]} {period} by {host}" for job, period, host in
                              results.get("periods", [])[:12])
                  + (" …" if len(results.get("periods", [])) > 12 else ""),
                  "- minutes of the run in which the once-a-minute `send_due_mail` claimed no period: "
                  + (", ".join(m[-5:] for m in results.get("minutes without send_due_mail", [])) or "none")
                  + " (a periodic job is a job on the same queue: behind a burst of mail jobs it runs late, and "
                  "claims the minute it runs in; once per period holds, every minute does not)"]
    if "cpu total" in results:
        lines += ["", "CPU seconds over the whole run (from /proc, each host's process trees): "
                  + ", ".join(f"{h} {v:.1f}" for h, v in sorted(results["cpu total"].items())) + "."]
        tracebacks = {k: v for k, v in results.get("tracebacks", {}).items() if v}
        lines.append(f"Tracebacks in the services' logs: {tracebacks or 'none'}.")
    if results.get("error"):
        lines += ["", f"**The run stopped early:** {results['error']}"]
    lines += ["", "What this does not show: the hosts share two cores, so it proves correctness across hosts and "
              "gives CPU cost per operation, not the throughput of three real machines; the kernel has no netem, "
              "so there is no latency or loss on the links, only a link that is down."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--door-seconds", type=float, default=0, help="length of the door rush (default scans/40)")
    parser.add_argument("--ticket-every", type=int, default=20, help="one in N registrations confirmed at once "
                        "(its mail carries the e-ticket PDF)")
    parser.add_argument("--mail-seconds", type=float, default=300, help="how long to wait for the outbox to drain")
    parser.add_argument("--storage", choices=("local", "s3"), default="s3" if s3_supported() else "local")
    parser.add_argument("--max-seconds", type=int, default=870, help="the run stops itself after this")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the logs")
    parser.add_argument("--out", default=str(DOC))
    parser.add_argument("--smtp-sink", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_sink:
        smtp_sink(args.smtp_sink)
        return 0
    if os.geteuid() != 0:
        print("make scale-test builds network namespaces: run it as root", file=sys.stderr)
        return 2
    log("cleaning up what an earlier, aborted run left")
    teardown_network()

    def too_long(_sig, _frame):
        raise TimeoutError(f"stopped after --max-seconds {args.max_seconds}")

    signal.signal(signal.SIGALRM, too_long)
    def terminated(_sig, _frame):
        raise KeyboardInterrupt("SIGTERM")

    signal.signal(signal.SIGTERM, terminated)
    signal.alarm(max(args.max_seconds - 30, 1))
    started = time.monotonic()
    args.deadline = started + args.max_seconds - 30
    results: dict = {}
    outcome: list[Check] = []
    try:
        outcome = run(args, results)
    except (Exception, KeyboardInterrupt) as exc:
        results["error"] = re.sub(r"\s+", " ", f"{type(exc).__name__}: {exc}")[:600]
        log(f"run stopped: {results['error']}")
    finally:
        signal.alarm(0)
    for c in outcome:
        print(f"{c.label}  {c.name}: {c.detail}", flush=True)
    out = Path(args.out)
    out.write_text(replace_between_markers(out.read_text(), report(args, results, outcome,
                                                                   time.monotonic() - started)))
    log(f"written {out} in {time.monotonic() - started:.0f} s")
    failed = results.get("error") or not outcome or any(c.ok is False for c in outcome)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
