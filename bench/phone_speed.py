"""Speed on a phone: the edition page and the registration page of the demo data, opened for the first
time (empty cache) in Chromium at 375 px on DevTools' "Slow 4G" profile (150 ms latency, about
1.4 Mbit/s down) with the CPU slowed 4×, against gunicorn (2 workers) on SQLite. Reported per page: bytes
transferred (target under 150 KB), requests, Largest Contentful Paint (median of 5 visits) and scripts
that block rendering (target none). The unthrottled size budget is also a browser test
(tests/browser/test_phone_speed.py); the measuring is shared (tests/support/phone.py).

    python -m bench phone_speed          # or: make bench
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench._support import ROOT
from tests.support import start_gunicorn
from tests.support.phone import first_visit

PAGES = {"edition page": "/congres-2025/", "registration page": "/congres-2025/register"}
TARGET_KB = 150
VISITS = 5
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _demo_database(workdir: Path) -> str:
    url = f"sqlite:///{workdir / 'demo.db'}"
    env = {**os.environ, "DATABASE_URL": url, "CONGRESS_INSTANCE_DIR": str(workdir / "instance"),
           "HUEY_SQLITE_PATH": str(workdir / "instance" / "huey.db"), "HUEY_IMMEDIATE": "1"}
    env.pop("TEST_DATABASE_URL", None)
    for args in (["db", "upgrade"], ["congress", "demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    return url


def run() -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="phone-speed-") as tmp:
        workdir = Path(tmp)
        server = start_gunicorn(_demo_database(workdir), workdir / "instance", workers=2, timeout=60)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for name, path in PAGES.items():
                    first_visit(browser, server.base_url + path)  # the server's caches warm
                    visits = [first_visit(browser, server.base_url + path, throttled=True) for _ in range(VISITS)]
                    kb = statistics.median(v.transferred for v in visits) / 1024
                    lcp = statistics.median(v.lcp_ms for v in visits)
                    blocking = visits[-1].blocking_scripts
                    bench = f"phone_speed: {name} (Slow 4G, CPU 4x, first visit)"
                    rows += [
                        {"benchmark": bench, "database": "SQLite", "metric": "transferred (KB)",
                         "value": round(kb, 1), "target": f"< {TARGET_KB}", "ok": kb < TARGET_KB},
                        {"benchmark": bench, "database": "SQLite", "metric": "requests",
                         "value": visits[-1].requests, "target": "", "ok": None},
                        {"benchmark": bench, "database": "SQLite",
                         "metric": f"Largest Contentful Paint, median of {VISITS} (ms)", "value": round(lcp),
                         "target": "", "ok": None},
                        {"benchmark": bench, "database": "SQLite", "metric": "render-blocking scripts",
                         "value": len(blocking), "target": "0", "ok": not blocking},
                    ]
                browser.close()
        finally:
            server.stop()
    for row in rows:
        print(f"  {row['benchmark']:<60} {row['metric']:<44} {row['value']!s:>8}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
