"""Run every benchmark and write docs/benchmarks.md.

Each benchmark module has ``run() -> list[dict]``; a row has ``benchmark``, ``database``,
``metric``, ``value``, ``target`` and ``ok``. Machines are shared and noisy: benchmarks report
medians and ratios measured in one run.
"""

from __future__ import annotations

import datetime
import importlib
import platform
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every module in bench/ with a run() function, in name order.
BENCHMARKS: list[str] = sorted(
    p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_") and p.stem != "conftest"
)


def main(names: list[str]) -> int:
    rows: list[dict] = []
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        try:
            rows.extend(importlib.import_module(f"bench.{name}").run())
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows.append({"benchmark": name, "database": "", "metric": "failed to run",
                         "value": f"{type(exc).__name__}: {exc}"[:200], "target": "", "ok": False})
    write_report(rows)
    failed = [r for r in rows if r.get("ok") is False]
    return 1 if failed else 0


def write_report(rows: list[dict]) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()}) by `make bench`.",
        "",
        "| benchmark | database | metric | value | target | ok |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ok = "" if r.get("ok") is None else ("yes" if r["ok"] else "**no**")
        lines.append(f"| {r['benchmark']} | {r.get('database', '')} | {r['metric']} | {r['value']} | "
                     f"{r.get('target', '')} | {ok} |")
    if not rows:
        lines.append("| (none yet) | | | | | |")
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote docs/benchmarks.md ({len(rows)} rows)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
