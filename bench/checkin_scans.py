"""Check-in scans: 20 concurrent scanning clients against gunicorn (2 workers) on SQLite and on
PostgreSQL, 5,000 scans (80 % first scans, 15 % repeats, 5 % invalid). Reports scans/s, p50 and
p99 server latency (the app's Server-Timing) and client latency, duplicate check-ins (must be 0), the
server's CPU per scan and how much of the shared machine other processes took meanwhile (the rate is
CPU-bound: see docs/benchmarks.md).

    python -m bench checkin_scans            # or: make bench
    BENCH_QUICK=1 python -m bench checkin_scans
"""

from __future__ import annotations

import os
import random
import secrets
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench import _probe
from bench._support import ROOT, on_both_databases, percentile, post_json_concurrently, start_gunicorn
from congress import create_app
from congress.accounts.services import create_api_token
from congress.badges import services as badges
from congress.badges import tokens
from congress.badges.models import IssuedCode
from congress.extensions import db
from congress.registration.models import Registration
from tests.factories import make_congress

TARGET_RATE = 400.0
TARGET_P99_MS = 20.0


def prepare(database_url: str, instance_dir: Path, attendees: int) -> dict:
    """A fresh database with an edition, ``attendees`` confirmed registrations with codes, a token."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_SQLITE_PATH": str(instance_dir / "h.db"),
                      "TESTING": True, "HUEY_IMMEDIATE": True})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        congress = make_congress("scans")
        people = [
            Registration(congress_id=congress.id, name=f"Bezoeker {i}", email=f"scan{i}@example.org",
                         email_key=f"scan{i}@example.org", organisation="Gemeente Utrecht", status="confirmed",
                         manage_secret_hash=secrets.token_hex(32), manage_nonce=secrets.token_hex(12))
            for i in range(attendees)
        ]
        db.session.add_all(people)
        db.session.flush()
        key = badges.ensure_edition_key(congress)

        codes = []
        for person in people:
            nonce = tokens.new_nonce()
            code = tokens.sign(key.private_key, congress.id, person.id, nonce)
            codes.append(code)
            db.session.add(IssuedCode(congress_id=congress.id, registration_id=person.id, nonce=nonce.hex(),
                                      code=code))
        db.session.commit()  # a service opens its own write transaction
        token = create_api_token("bench-scanner", "checkin").secret
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"codes": codes, "token": token}


def scan_plan(codes: list[str], total: int, seed: int = 11) -> list[dict]:
    """80 % first scans in random order, 15 % repeats (after their first scan), 5 % invalid."""
    rng = random.Random(seed)
    firsts = codes[: int(total * 0.80)]
    rng.shuffle(firsts)
    plan = [{"code": c, "kind": "first"} for c in firsts]
    for _ in range(int(total * 0.15)):
        # A repeat comes well after its first scan (more than the clients in flight), so that the
        # expected answer is "already checked in" whatever order concurrent requests finish in.
        position = rng.randrange(len(plan) // 2, len(plan) + 1)
        earlier = [item["code"] for item in plan[: position - 200] if item["kind"] == "first"]
        plan.insert(position, {"code": rng.choice(earlier), "kind": "repeat"})
    for _ in range(total - len(plan)):
        garbage = rng.choice(["C1" + "A" * 127, "hello", "x" * 300, "C1" + secrets.token_hex(60)[:127].upper()])
        plan.insert(rng.randrange(len(plan) + 1), {"code": garbage, "kind": "invalid"})
    return plan


def fire(base_url: str, token: str, plan: list[dict], concurrency: int) -> list[dict]:
    bodies = [{"code": item["code"], "nonce": secrets.token_hex(8)} for item in plan]
    outcomes = post_json_concurrently(base_url, "/api/v1/checkins", bodies, {"Authorization": f"Bearer {token}"},
                                      concurrency)
    for outcome, item in zip(outcomes, plan, strict=True):
        outcome["kind"] = item["kind"]
        outcome["result"] = outcome["body"].get("result") if outcome["status"] == 200 else None
    return outcomes


def duplicates(database_url: str) -> tuple[int, int]:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        dupes = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT registration_id, list_key FROM checkins WHERE undone_at IS NULL "
            "GROUP BY registration_id, list_key HAVING count(*) > 1) d")).scalar()
        total = conn.execute(sa.text("SELECT count(*) FROM checkins")).scalar()
    engine.dispose()
    return dupes, total


def run_one(label: str, database_url: str, workdir: Path, total: int, concurrency: int) -> list[dict]:
    setup = prepare(database_url, workdir, attendees=int(total * 0.8))
    plan = scan_plan(setup["codes"], total)
    server = start_gunicorn(database_url, workdir / "instance", workers=2, timeout=120)
    meter = _probe.CpuMeter(server=server.process.pid, postgresql=_probe.postmaster_pid(database_url))
    try:
        fire(server.base_url, setup["token"], [{"code": "warm-up", "kind": "invalid"}] * 40, concurrency=4)
        quiet = _probe.wait_for_quiet()
        meter.start()
        started = time.perf_counter()
        outcomes = fire(server.base_url, setup["token"], plan, concurrency)
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    finally:
        server.stop()
    dupes, stored = duplicates(database_url)
    errors = sum(1 for o in outcomes if o["status"] != 200)
    expected = {"first": "ok", "repeat": "already_checked_in", "invalid": "invalid"}
    wrong = sum(1 for o in outcomes if o["status"] == 200 and o["result"] != expected[o["kind"]])
    server_ms = [o["server_ms"] for o in outcomes if o["server_ms"] is not None]
    client_ms = [o["client_ms"] for o in outcomes]
    rate = len(outcomes) / elapsed
    p99 = percentile(server_ms, 0.99)
    name = f"checkin_scans ({concurrency} clients, 2 workers, {total} scans)"
    return [
        {"benchmark": name, "database": label, "metric": "scans/s", "value": round(rate, 1),
         "target": f">= {TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
        {"benchmark": name, "database": label, "metric": "p50 server latency (ms)",
         "value": round(percentile(server_ms, 0.5), 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p99 server latency (ms)", "value": round(p99, 1),
         "target": f"<= {TARGET_P99_MS:.0f}", "ok": p99 <= TARGET_P99_MS},
        {"benchmark": name, "database": label, "metric": "p50 / p99 client latency (ms)",
         "value": f"{percentile(client_ms, 0.5):.1f} / {percentile(client_ms, 0.99):.1f}", "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "server CPU per scan (ms)",
         "value": round(cpu["server"] / len(outcomes) * 1000, 2), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "machine busy just before the scans (%)",
         "value": round(quiet * 100), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "CPU other processes took during the scans (% of machine)",
         "value": round(cpu["others"] / cpu["machine capacity"] * 100) if cpu["machine capacity"] else 0,
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "duplicate check-ins", "value": dupes, "target": "0",
         "ok": dupes == 0},
        {"benchmark": name, "database": label, "metric": "check-ins stored / expected",
         "value": f"{stored} / {int(total * 0.8)}", "target": "equal", "ok": stored == int(total * 0.8)},
        {"benchmark": name, "database": label, "metric": "errors or wrong results", "value": errors + wrong,
         "target": "0", "ok": errors + wrong == 0},
    ]


def run() -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    total = int(os.environ.get("BENCH_SCANS", "500" if quick else "5000"))
    concurrency = int(os.environ.get("BENCH_SCAN_CLIENTS", "20"))
    rows = on_both_databases("checkin_scans", lambda label, url, workdir: run_one(
        label, url, workdir, total, concurrency))
    for row in rows:
        print(f"  {row['database']:<10} {row['metric']:<30} {row['value']!s:>12}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
