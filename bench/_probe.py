"""Where a request's time goes, for ``BENCH_PROBE=1`` runs: the client's timestamps beside the gunicorn
workers' (bench/_probe_gunicorn.py), and the CPU the load generator, the server, PostgreSQL and the
rest of the machine took during the measured run (from /proc, Linux only)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench._support import percentile

TICK = os.sysconf("SC_CLK_TCK")


def gunicorn_args() -> list[str]:
    return ["-c", str(Path(__file__).with_name("_probe_gunicorn.py"))]


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _tree(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[0]
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier += children
    return found


def postmaster_pid(database_url: str) -> int | None:
    """The pid of the PostgreSQL server listening on the URL's port, from its data directories in /tmp."""
    port = database_url.rsplit(":", 1)[-1].split("/")[0]
    for pidfile in Path("/tmp").glob("congress-pg-*/data/postmaster.pid"):
        try:
            lines = pidfile.read_text().splitlines()
        except OSError:
            continue
        if len(lines) > 3 and lines[3].strip() == port:
            return int(lines[0])
    return None


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, all CPU seconds) of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CpuMeter:
    """CPU seconds taken between ``start()`` and ``stop()`` by groups of process trees."""

    def __init__(self, **roots: int | None) -> None:
        self.roots = {name: pid for name, pid in roots.items() if pid}
        self.before: dict[str, dict[int, float]] = {}
        self.result: dict[str, float] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        sample: dict[str, dict[int, float]] = {}
        for name, root in self.roots.items():
            sample[name] = {pid: s[1] for pid in _tree(root) if (s := _stat(pid)) is not None}
        return sample

    def start(self) -> None:
        self.before = self._sample()
        self.busy0, self.total0 = machine_busy()
        self.client0 = sum(os.times()[:2])

    def stop(self) -> dict[str, float]:
        after = self._sample()
        busy, total = machine_busy()
        self.result = {"client": sum(os.times()[:2]) - self.client0}
        for name, pids in after.items():
            self.result[name] = sum(cpu - self.before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
        self.result["machine"] = busy - self.busy0
        self.result["machine capacity"] = total - self.total0
        self.result["others"] = self.result["machine"] - sum(
            v for k, v in self.result.items() if k not in {"machine", "machine capacity"})
        return self.result


def read_worker_lines(folder: Path) -> dict[int, tuple[float, float, float, int]]:
    lines: dict[int, tuple[float, float, float, int]] = {}
    for path in folder.glob("probe-*.tsv"):
        for line in path.read_text().splitlines():
            probe, started, done, sql, pid = line.split("\t")
            lines[int(probe)] = (float(started), float(done), float(sql), int(pid))
    return lines


def breakdown(outcomes: list[dict], folder: Path) -> dict[str, tuple[float, float, float]]:
    """p50 / p90 / p99 (ms) of each part of the client's latency."""
    worker = read_worker_lines(folder)
    parts: dict[str, list[float]] = {"client latency": [], "connect (TCP handshake)": [],
                                     "wait until a worker starts on it": [], "in the worker": [],
                                     "of which SQL": [], "after the worker, until the client has read it": []}
    for index, outcome in enumerate(outcomes):
        if index not in worker or outcome.get("status") != 201:
            continue
        started, done, sql, _pid = worker[index]
        parts["client latency"].append(outcome["done_at"] - outcome["sent_at"])
        parts["connect (TCP handshake)"].append(outcome["connected_at"] - outcome["sent_at"])
        parts["wait until a worker starts on it"].append(started - outcome["sent_at"])
        parts["in the worker"].append(done - started)
        parts["of which SQL"].append(sql)
        parts["after the worker, until the client has read it"].append(outcome["done_at"] - done)
    return {name: tuple(percentile(values, q) * 1000 for q in (0.5, 0.9, 0.99))
            for name, values in parts.items()}


def wait_for_quiet(limit: float | None = None, busy_below: float = 0.5, window: float = 1.0) -> float:
    """Wait (at most ``limit`` seconds, ``BENCH_QUIET_WAIT``, default 30) until the machine was less than
    ``busy_below`` busy over one ``window``, so that a measurement does not start while neighbours on a
    shared machine take the CPU. Returns how busy the machine was over the last window."""
    limit = float(os.environ.get("BENCH_QUIET_WAIT", "30")) if limit is None else limit
    deadline = time.monotonic() + limit
    while True:
        busy0, total0 = machine_busy()
        time.sleep(window)
        busy, total = machine_busy()
        share = (busy - busy0) / (total - total0) if total > total0 else 0.0
        if share < busy_below or time.monotonic() >= deadline:
            return share
