"""The storage backends side by side: the local directory and S3-compatible object storage (moto's
standalone server on 127.0.0.1, the one the tests use: a Python server, so its latencies are an upper
bound for the app's own part, not a figure for a real S3 service).

Per operation on a 200 KB speaker photo and a 2 MB slide deck: write, read, and a download streamed
through ``storage.send`` (the app's side of a file download), as the median wall time and this
process's CPU time (``time.process_time``: the shared machine's load does not inflate it); and the
migration of 200 files (``congress storage migrate``'s per-file step: copy, read back, compare the
SHA-256) in files per second. Target: a streamed 2 MB download costs the app under 50 ms of CPU on
object storage, and the migration copies at least 20 files/s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from congress import create_app, storage
from tests.support.s3 import start_s3_server

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"photo 200 KB": 200 * 1024, "slides 2 MB": 2 * 1024 * 1024}
REPEAT = 15
MIGRATE_FILES = 200
TARGET_STREAM_CPU_MS = 50.0
TARGET_MIGRATE_RATE = 20.0


def _timed(step: Callable[[int], None], repeat: int = REPEAT) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``step(i)``."""
    walls, cpus = [], []
    for i in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        step(i)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _row(backend: str, metric: str, value: float, unit: str, target: str = "", ok: bool = True) -> dict:
    return {"benchmark": "storage_backends", "database": backend, "metric": metric,
            "value": f"{value:.1f} {unit}", "target": target, "ok": ok}


def _measure(app, backend: str) -> list[dict]:
    rows = []
    area = storage.storage("cfp")
    for label, size in SIZES.items():
        data = os.urandom(size)
        wall, cpu = _timed(lambda i, data=data, label=label: area.put(f"bench/{label[:5]}-{i}", data))
        rows.append(_row(backend, f"write {label}: wall / CPU", wall, f"ms / {cpu:.1f} ms"))
        wall, cpu = _timed(lambda i, label=label: area.read(f"bench/{label[:5]}-{i}"))
        rows.append(_row(backend, f"read {label}: wall / CPU", wall, f"ms / {cpu:.1f} ms"))

        def stream(i: int, label: str = label, size: int = size) -> None:
            with app.test_request_context("/"):
                response = area.send(f"bench/{label[:5]}-{i}", mimetype="application/pdf", as_attachment=True,
                                     download_name="dia's.pdf")
                response.direct_passthrough = False
                got = sum(len(chunk) for chunk in response.iter_encoded())
                response.close()
            assert got == size, (got, size)

        wall, cpu = _timed(stream)
        big = label.startswith("slides") and backend == "S3 (moto)"
        rows.append(_row(backend, f"streamed download {label}: wall / CPU", wall, f"ms / {cpu:.1f} ms",
                         target=f"CPU < {TARGET_STREAM_CPU_MS:.0f} ms" if big else "",
                         ok=cpu < TARGET_STREAM_CPU_MS if big else True))
    return rows


def _migrate(app) -> list[dict]:
    files = storage.storage("cfp")
    for i in range(MIGRATE_FILES):
        files.put(f"photos/m{i:04d}.png", os.urandom(50 * 1024))
    return [(area, key) for area, key in storage.migration_plan() if key.startswith("photos/m")]


def run() -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    server = start_s3_server(workdir / "moto.log")
    rows: list[dict] = []
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
                          "CFP_UPLOAD_DIR": str(workdir / "cfp"), "ARCHIVE_UPLOAD_DIR": str(workdir / "uploads"),
                          "BADGE_DIR": str(workdir / "badges"), "HUEY_IMMEDIATE": True,
                          "HUEY_SQLITE_PATH": str(workdir / "huey.db")})
        s3 = server.config(server.make_bucket())
        with app.app_context():
            rows += _measure(app, "local directory")
            app.config.update(s3)
            rows += _measure(app, "S3 (moto)")
            # The migration: local → a second bucket.
            app.config["STORAGE_URL"] = ""
            plan = _migrate(app)
            target_url = f"s3://{server.make_bucket()}/verhuisd"
            targets = storage.migration_target(target_url)
            wall, cpu = time.perf_counter(), time.process_time()
            outcomes = [storage.migrate_file(area, key, targets[area]) for area, key in plan]
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert outcomes.count("copied") == MIGRATE_FILES, outcomes
            rate = MIGRATE_FILES / wall
            rows.append(_row("local → S3 (moto)", f"migrate {MIGRATE_FILES} files of 50 KB (copy, read back, "
                             "compare SHA-256)", rate, f"files/s, {cpu / MIGRATE_FILES * 1000:.1f} ms CPU per file",
                             target=f">= {TARGET_MIGRATE_RATE:.0f} files/s", ok=rate >= TARGET_MIGRATE_RATE))
            wall = time.perf_counter()
            again = [storage.migrate_file(area, key, targets[area]) for area, key in plan]
            assert set(again) == {"present"}
            rows.append(_row("local → S3 (moto)", f"rerun over {MIGRATE_FILES} files already there",
                             MIGRATE_FILES / (time.perf_counter() - wall), "files/s"))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['database']:>20}  {row['metric']:<70} {row['value']:<40} {row['target']} "
              f"{'' if row['ok'] else 'NOT MET'}")
