"""Before and after in one run: ``make bench-compare BASE=<git rev> [ONLY=a,b] [ROUNDS=2]``.

    python -m bench._compare BASE [--only registration_rush,checkin_scans] [--rounds 2] [--timeout 900]

Makes a throw-away checkout of BASE (``git worktree add --detach`` under /tmp, removed afterwards),
then runs the chosen benchmarks alternately on BASE and on this working tree — for each round and
each benchmark: BASE, then the working tree — each side with its own ``python -m bench NAME`` in its
own checkout (same virtualenv; ``PYTHONPATH`` points at the checkout, so BASE runs BASE's code and
BASE's benchmark code, however old). The figures are read from each side's docs/benchmarks.json
(or, for a BASE without it, from its docs/benchmarks.md table). docs/bench-compare.md gets, per
figure, the median of each side, head/base and a flag when head is worse by more than 10 %. This
working tree's docs/benchmarks.json and docs/benchmarks.md are left as they were.

Each run is bounded (``--timeout`` seconds, default 900; its process group is killed after that
and the run counts as failed). The machine is shared: the figures of both sides drift together,
which is why they are interleaved and compared by their medians.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._probe import machine_busy
from bench._support import host_reference_ms

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "bench-compare.md"
WORSE = 0.10
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
HIGHER_IS_BETTER = re.compile(r"/s\b|per second|throughput", re.IGNORECASE)
LOWER_IS_BETTER = re.compile(r"latency|\bms\b|\(ms\)|seconds|memory|\bMB\b|time\b", re.IGNORECASE)


def benchmark_names(checkout: Path) -> list[str]:
    return sorted(p.stem for p in (checkout / "bench").glob("*.py") if not p.stem.startswith("_")
                  and p.stem != "conftest")


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def make_checkout(base: str, folder: Path) -> Path:
    """A detached worktree of BASE with what the working tree has that git does not: node_modules
    (a link) and the compiled translations."""
    checkout = folder / "base"
    git("worktree", "add", "--detach", str(checkout), base)
    modules = ROOT / "node_modules"
    if modules.exists() and not (checkout / "node_modules").exists():
        (checkout / "node_modules").symlink_to(modules.resolve())
    if (checkout / "scripts" / "translations.py").exists():
        subprocess.run([sys.executable, "scripts/translations.py", "compile"], cwd=checkout, env=side_env(checkout),
                       check=False, capture_output=True, timeout=300)
    found = subprocess.run([sys.executable, "-c", "import congress, bench; print(congress.__file__, bench.__file__)"],
                           cwd=checkout, env=side_env(checkout), capture_output=True, text=True, check=True).stdout
    if any(not path.startswith(str(checkout)) for path in found.split()):
        raise RuntimeError(f"BASE's checkout imports code from elsewhere: {found}")
    return checkout


def remove_checkout(checkout: Path) -> None:
    """Stop the checkout's own throw-away PostgreSQL cluster if one is left (scripts/pg_test_server.sh
    names it by the checkout's path), then remove the worktree."""
    checksum = subprocess.run(["bash", "-c", "pwd | cksum | cut -d' ' -f1"], cwd=checkout, capture_output=True,
                              text=True, check=False).stdout.strip()
    cluster = Path(f"/tmp/congress-pg-{checksum}")
    if checksum and cluster.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "pg_test_server.sh"), "stop"], cwd=checkout, check=False,
                       capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", str(cluster)], check=False)
    subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=False,
                   capture_output=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False, capture_output=True)


def side_env(checkout: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("BENCH_PROBE", None)
    return env


def read_rows(checkout: Path, name: str) -> tuple[str | None, list[dict]]:
    """(when measured, rows) of one benchmark module in a checkout's docs."""
    results = checkout / "docs" / "benchmarks.json"
    if results.exists():
        entry = json.loads(results.read_text()).get(name)
        return (entry["measured"], entry["rows"]) if entry else (None, [])
    report = checkout / "docs" / "benchmarks.md"
    rows = []
    if report.exists():
        for line in report.read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 6 and cells[0].startswith(name.split("_")[0]) and cells[0] != "benchmark":
                rows.append({"benchmark": cells[0], "database": cells[1], "metric": cells[2], "value": cells[3],
                             "target": cells[4], "ok": {"yes": True, "**no**": False}.get(cells[5])})
        return (f"{report.stat().st_mtime}", rows)
    return None, rows


def run_side(checkout: Path, name: str, timeout: float, log: Path) -> dict:
    """One ``python -m bench NAME`` in a checkout: its rows, how long it took, how busy the machine was."""
    before, _ = read_rows(checkout, name)
    host_ms = host_reference_ms()
    busy0, total0 = machine_busy()
    started = time.monotonic()
    with log.open("ab") as out:
        out.write(f"\n== {name} in {checkout} ==\n".encode())
        out.flush()
        process = subprocess.Popen([sys.executable, "-m", "bench", name], cwd=checkout, env=side_env(checkout),
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:  # on a timeout, and when the comparison itself is stopped: no run is left behind
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    seconds = time.monotonic() - started
    busy, total = machine_busy()
    measured, rows = read_rows(checkout, name)
    if measured == before:
        rows = []
    return {"rows": rows, "seconds": seconds, "returncode": returncode, "host_ms": host_ms,
            "machine_busy": (busy - busy0) / (total - total0) if total > total0 else 0.0}


def figures(rows: list[dict]) -> dict[tuple[str, str, str], float]:
    """Every number of every row, by (benchmark, database, metric); "a / b" values give two figures."""
    found: dict[tuple[str, str, str], float] = {}
    for row in rows:
        value = str(row.get("value", ""))
        numbers = NUMBER.findall(value)
        if not numbers or not_measured(row):
            continue
        key = (str(row.get("benchmark", "")), str(row.get("database", "")), str(row.get("metric", "")))
        if " / " in value and len(numbers) >= 2:
            parts = [NUMBER.findall(part) for part in value.split(" / ")]
            for index, part in enumerate(parts, start=1):
                if part:
                    found[(*key[:2], f"{key[2]} [{index}]")] = float(part[0])
        else:
            found[key] = float(numbers[0])
    return found


def direction(metric: str) -> int:
    """+1 when more is better, -1 when less is better, 0 for counts and sizes (shown, never flagged)."""
    if HIGHER_IS_BETTER.search(metric):
        return 1
    if LOWER_IS_BETTER.search(metric) and not re.search(r"overbooked|errors|duplicate|stored|sessions in",
                                                          metric, re.IGNORECASE):
        return -1
    return 0


def compare(base_runs: list[dict], head_runs: list[dict]) -> list[dict]:
    base = [figures(run["rows"]) for run in base_runs]
    head = [figures(run["rows"]) for run in head_runs]
    keys = list(dict.fromkeys(k for side in (base, head) for run in side for k in run))
    lines = []
    for key in keys:
        base_values = [run[key] for run in base if key in run]
        head_values = [run[key] for run in head if key in run]
        line = {"key": key, "base": base_values, "head": head_values, "ratio": None, "worse": False,
                "spread": False}
        if base_values and head_values:
            b, h = statistics.median(base_values), statistics.median(head_values)
            line["ratio"] = h / b if b else None
            sense = direction(key[2])
            if line["ratio"] is not None and sense:
                beyond = line["ratio"] < 1 - WORSE if sense > 0 else line["ratio"] > 1 + WORSE
                # Worse beyond the noise only when every head run is worse than every base run; when
                # the runs of the two sides overlap, the difference is within the runs' own spread.
                apart = max(head_values) < min(base_values) if sense > 0 else min(head_values) > max(base_values)
                overlap_counts = len(base_values) > 1 and len(head_values) > 1
                line["worse"] = beyond and (apart or not overlap_counts)
                line["spread"] = beyond and not line["worse"]
        lines.append(line)
    return lines


def not_measured(row: dict) -> bool:
    """A row that says a benchmark failed to run or was skipped, rather than giving a figure."""
    return row.get("metric") in {"failed to run", "skipped"} or (
        row.get("ok") is False and not NUMBER.search(str(row.get("value", ""))))


def failed_targets(runs: list[dict]) -> int:
    return sum(1 for run in runs for row in run["rows"] if row.get("ok") is False)


def write(path: Path, base_rev: str, head_rev: str, names: list[str], rounds: int, order: list[str],
          runs: dict[str, dict[str, list[dict]]], started: str, missing: dict[str, str]) -> int:
    def number(values: list[float]) -> str:
        return f"{statistics.median(values):g}" if values else "–"

    def spread(values: list[float]) -> str:
        return f"{min(values):g}–{max(values):g}" if len(values) > 1 else "–"

    lines = [
        "# Benchmarks before and after",
        "",
        f"Written by `make bench-compare BASE={base_rev[:10]}` (`python -m bench._compare`), {started} to "
        f"{datetime.datetime.now(datetime.UTC):%H:%M} UTC.",
        f"BASE {base_rev[:10]}, head {head_rev}; {rounds} round(s), interleaved ({', '.join(order)}).",
        "Each figure is the median of its runs on that side; head/base above 1 is more of it. A figure is",
        f"**flagged** when head is worse by more than {WORSE:.0%} (less for rates, more for times) and every head",
        "run is worse than every base run; worse by more than that but with the runs of the two sides",
        "overlapping, it is marked *within the spread* (the runs' own noise is as large as the difference).",
        "Counts and sizes are shown but never flagged. The reference loop (ms, lower is faster) is a fixed",
        "pure-Python loop timed before each run: it shows how fast the shared machine was. Compare the two",
        "columns of this run with each other, not with another run's.",
        "",
    ]
    summary_at = len(lines) - 1  # the flagged count goes right after the explanation
    flagged = 0
    for name in names:
        lines += [f"## {name}", ""]
        if name in missing:
            lines += [missing[name], ""]
            continue
        base_runs, head_runs = runs[name]["base"], runs[name]["head"]
        for side, side_runs in (("base", base_runs), ("head", head_runs)):
            summary = ", ".join(
                f"{run['seconds']:.0f} s" + ("" if run["rows"] else " (no figures)")
                + ("" if run["returncode"] in (0, 1) else f" (exit {run['returncode']})")
                + f", machine {run['machine_busy']:.0%} busy"
                + (f", reference loop {run['host_ms']:g} ms" if run.get("host_ms") else "") for run in side_runs)
            lines.append(f"- {side}: {summary}; targets missed in all runs: {failed_targets(side_runs)}")
            for run in side_runs:
                lines += [f"  - {side} {row.get('database', '')} {row['metric']}: {str(row.get('value', ''))[:200]}"
                          for row in run["rows"] if not_measured(row)]
        lines += ["", "| benchmark | database | figure | base | head | head/base | base runs | head runs | |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for line in compare(base_runs, head_runs):
            benchmark, database, metric = line["key"]
            ratio = f"{line['ratio']:.2f}" if line["ratio"] is not None else "–"
            mark = "**worse**" if line["worse"] else "*within the spread*" if line["spread"] else ""
            flagged += line["worse"]
            lines.append(f"| {benchmark} | {database} | {metric} | {number(line['base'])} | {number(line['head'])} "
                         f"| {ratio} | {spread(line['base'])} | {spread(line['head'])} | {mark} |")
        lines.append("")
    lines[summary_at:summary_at] = ["", f"**{flagged} figure(s) worse by more than {WORSE:.0%}.**" if flagged
                  else f"No figure is worse by more than {WORSE:.0%}."]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the git revision to compare with (e.g. main~3)")
    parser.add_argument("--only", default=os.environ.get("ONLY", ""), help="benchmarks, comma-separated")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "2")))
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("BENCH_COMPARE_TIMEOUT", "900")),
                        help="seconds one benchmark run may take")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    # Stopped from outside (timeout, kill): leave through the finally below, which restores the working
    # tree's figures and removes BASE's checkout.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base_rev = git("rev-parse", f"{args.base}^{{commit}}")
    head_rev = git("rev-parse", "--short=10", "HEAD") + (" + uncommitted changes" if git("status", "--porcelain",
                                                                                            "--untracked-files=no")
                                                         else "")
    started = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"
    kept = {p: p.read_bytes() for p in (ROOT / "docs" / "benchmarks.json", ROOT / "docs" / "benchmarks.md")
            if p.exists()}
    folder = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    log = folder / "runs.log"
    checkout = None
    try:
        checkout = make_checkout(base_rev, folder)
        head_names, base_names = benchmark_names(ROOT), benchmark_names(checkout)
        names = [n.strip() for n in args.only.split(",") if n.strip()] or head_names
        missing = {n: f"Not compared: BASE has no bench/{n}.py." for n in names if n not in base_names}
        missing.update({n: f"Not compared: the working tree has no bench/{n}.py." for n in names
                        if n not in head_names})
        runs: dict[str, dict[str, list[dict]]] = {n: {"base": [], "head": []} for n in names}
        order: list[str] = []
        for round_number in range(1, args.rounds + 1):
            for name in (n for n in names if n not in missing):
                for side, where in (("base", checkout), ("head", ROOT)):
                    print(f"round {round_number}/{args.rounds}: {name} on {side}", flush=True)
                    run = run_side(where, name, args.timeout, log)
                    runs[name][side].append(run)
                    print(f"  {run['seconds']:.0f} s, {len(run['rows'])} rows, machine {run['machine_busy']:.0%} busy",
                          flush=True)
                    if len(order) < 4:
                        order.append(side)
                    for path, content in kept.items():  # the working tree's own figures stay as they were
                        path.write_bytes(content)
        flagged = write(args.output, base_rev, head_rev, names, args.rounds, [*order, "…"], runs, started, missing)
        print(f"wrote {args.output} ({flagged} figure(s) worse by more than {WORSE:.0%}); runs logged in {log}")
        return 0
    finally:
        for path, content in kept.items():
            path.write_bytes(content)
        if checkout is not None:
            remove_checkout(checkout)


if __name__ == "__main__":
    sys.exit(main())
