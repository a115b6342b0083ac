"""Run the benchmarks and write docs/benchmarks.md.

    python -m bench                  # every module in bench/ (make bench)
    python -m bench checkin_scans    # only these; the other modules' last figures are kept
    BENCH_DATABASES=sqlite python -m bench.checkin_scans   # one database, figures printed only

Each benchmark module has ``run() -> list[dict]``; a row has ``benchmark``, ``database``,
``metric``, ``value``, ``target`` and ``ok``. The rows of each module are kept in
docs/benchmarks.json with the time they were measured, and docs/benchmarks.md is written from it.
Machines are shared and noisy: benchmarks report medians and ratios measured in one run.
"""

from __future__ import annotations

import datetime
import importlib
import json
import platform
import sys
import traceback
from pathlib import Path

from bench._support import host_reference_ms

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks.json"
REPORT = ROOT / "docs" / "benchmarks.md"
# Every module in bench/ with a run() function, in name order.
BENCHMARKS: list[str] = sorted(
    p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_") and p.stem != "conftest"
)


def main(names: list[str]) -> int:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    failed = False
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        measured = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        host_ms = host_reference_ms()
        try:
            rows = importlib.import_module(f"bench.{name}").run()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows = [{"benchmark": name, "database": "", "metric": "failed to run",
                     "value": f"{type(exc).__name__}: {exc}"[:200], "target": "", "ok": False}]
        results[name] = {"measured": measured, "machine": f"{platform.node()} ({platform.machine()}, "
                         f"Python {platform.python_version()})", "host_ms": host_ms, "rows": rows}
        failed = failed or any(r.get("ok") is False for r in rows)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n")
        write_report(results)
    return 1 if failed else 0


def write_report(results: dict) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`) from docs/benchmarks.json. Each benchmark says when and",
        "where it was measured; figures are medians and ratios from one run on a shared 2-core machine.",
        "The machine is shared with others: the same code measured minutes apart can differ by half, so",
        "compare figures of one run with each other rather than with another run's.",
        "",
        "| benchmark | database | metric | value | target | ok |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in sorted(results):
        for r in results[name]["rows"]:
            ok = "" if r.get("ok") is None else ("yes" if r["ok"] else "**no**")
            lines.append(f"| {r['benchmark']} | {r.get('database', '')} | {r['metric']} | {r['value']} | "
                         f"{r.get('target', '')} | {ok} |")
    lines += ["", "The reference loop is a fixed pure-Python loop timed just before each module ran "
              "(`bench._support.host_reference_ms`): it tells a slow machine from slow code. Figures of modules "
              "measured with different reference times are not comparable.",
              "", "| module | measured | machine | reference loop (ms, lower is faster) |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {results[name]['measured']} | {results[name]['machine']} | "
              f"{results[name].get('host_ms', '–')} |" for name in sorted(results)]
    notes = [f"- **{name}**: {results[name]['note']}" for name in sorted(results) if results[name].get("note")]
    if notes:
        lines += ["", "Notes on a run (kept in docs/benchmarks.json as the module's `note`):", "", *notes]
    lines += ["", "## How each benchmark runs", ""]
    for name in sorted(results):
        try:
            doc = importlib.import_module(f"bench.{name}").__doc__ or ""
        except ImportError:
            doc = ""
        summary = " ".join(doc.strip().split("\n\n")[0].split())
        if summary:
            lines += [f"- **{name}**: {summary}"]
    findings = ROOT / "bench" / "findings.md"  # what was found out with these benchmarks, written by hand
    if findings.exists():
        lines += ["", findings.read_text(encoding="utf-8").rstrip()]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
