"""Registration rush: 50 concurrent clients register 2,000 people with workshop choices (two rounds of
four workshops of 30 seats, so most end on a waiting list) against gunicorn with as many sync workers
as cores (at least 2) on SQLite and on PostgreSQL. First a closed loop (each client sends its next
registration as soon as the last is answered) measures registrations/s; its latency is the wait for a
free worker, 50 / throughput by Little's law, so it is reported without a target. Then 1,000 more
people arrive at the target rate of 150/s (open loop, at most 50 in flight, latency counted from when
each was due): the p99 latency a person sees in a rush at that rate must be at most 300 ms. Also
reported: the app's own time (Server-Timing), server CPU per registration, the CPU other processes
took from the shared machine meanwhile, and overbooked seats (must be 0).

    python -m bench registration_rush          # or: make bench
    BENCH_QUICK=1 python -m bench registration_rush
    BENCH_PROBE=1 BENCH_DATABASES=postgresql python -m bench registration_rush   # where the time goes

gunicorn and the load clients live in tests/support (the 200-concurrent-registrations test in
tests/registration/test_concurrency.py uses them too); they are re-exported here for older callers.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench import _probe
from bench._support import ROOT, on_both_databases, percentile
from congress import create_app
from congress.accounts.services import create_api_token
from congress.database import utcnow
from congress.extensions import db
from congress.programme.models import SignupRound
from congress.registration import services
from tests.factories import make_congress, make_session
from tests.support import Server, fire, free_port, post_json_concurrently, start_gunicorn

__all__ = ["ROOT", "Server", "fire", "free_port", "percentile", "prepare", "start_gunicorn"]
TARGET_RATE = 150.0
TARGET_P99_MS = 300.0


# --- a throw-away database with an open edition --------------------------------------------------


def prepare(database_url: str, instance_dir: Path, *, rounds: int = 2, sessions_per_round: int = 4,
            capacity: int = 30) -> dict:
    """Migrate an empty database and add an open edition with sign-up rounds and an API token."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_SQLITE_PATH": str(instance_dir / "h.db"),
                      "TESTING": True, "HUEY_IMMEDIATE": True})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        congress = make_congress("rush", rooms=sessions_per_round)
        congress.registration_opens_at = utcnow() - timedelta(days=1)
        congress.registration_closes_at = utcnow() + timedelta(days=1)
        services.ensure_default_sectors(congress)
        plan: list[list[int]] = []
        for r in range(rounds):
            signup_round = SignupRound(congress_id=congress.id, name_nl=f"Ronde {r + 1}", position=r)
            db.session.add(signup_round)
            db.session.flush()
            ids = []
            for s in range(sessions_per_round):
                session = make_session(congress, start=f"{10 + 2 * r}:00", end=f"{11 + 2 * r}:00",
                                       room_index=s, title=f"Workshop {r + 1}.{s + 1}")
                session.signup_round_id = signup_round.id
                session.signup_required = True
                session.capacity = capacity
                ids.append(session.id)
            plan.append(ids)
        db.session.commit()  # a service opens its own write transaction
        secret = create_api_token("rush", "registrations").secret
        db.session.commit()
        result = {"slug": congress.slug, "token": secret, "rounds": plan}
        db.session.remove()
        db.engine.dispose()
    return result


def database_counts(database_url: str) -> dict:
    """Enrolled per session and over capacity, straight from the database."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT s.id, s.capacity, "
            "(SELECT count(*) FROM registration_enrolments e WHERE e.session_id = s.id AND e.status = 'enrolled'),"
            "(SELECT count(*) FROM registration_enrolments e WHERE e.session_id = s.id AND e.status = 'waitlisted')"
            " FROM programme_sessions s")).all()
        registrations = conn.execute(sa.text("SELECT count(*) FROM registrations")).scalar()
    engine.dispose()
    return {
        "sessions": {sid: (cap, enrolled, waiting) for sid, cap, enrolled, waiting in rows},
        "overbooked": sum(max(enrolled - cap, 0) for _sid, cap, enrolled, _w in rows if cap is not None),
        "registrations": registrations,
    }


def payloads(count: int, rounds: list[list[int]], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [{
        "name": f"Deelnemer {i}", "email": f"rush{i}@example.org", "organisation": "Gemeente Utrecht",
        "sector": "gemeente", "consent_privacy": True, "confirmed": bool(i % 2),
        "sessions": [rng.choice(ids) for ids in rounds if rng.random() < 0.9],
    } for i in range(count)]


# --- the benchmark -----------------------------------------------------------------------------------


def run_one(label: str, database_url: str, workdir: Path, *, count: int, concurrency: int, workers: int) -> list[dict]:
    setup = prepare(database_url, workdir)
    probing = os.environ.get("BENCH_PROBE") == "1"
    probe_dir = workdir / "probe"
    probe_dir.mkdir(exist_ok=True)
    server = start_gunicorn(database_url, workdir / "instance", workers=workers, timeout=120,
                            extra_env={"BENCH_PROBE_DIR": str(probe_dir)},
                            extra_args=_probe.gunicorn_args() if probing else None)
    meter = _probe.CpuMeter(server=server.process.pid, postgresql=_probe.postmaster_pid(database_url))
    path = f"/api/v1/congresses/{setup['slug']}/registrations"
    headers = {"Authorization": f"Bearer {setup['token']}"}
    try:
        # A short warm-up (connections, template caches), then the measured rush.
        fire(server.base_url, setup["slug"], setup["token"],
             [{**p, "email": "warm-" + p["email"]} for p in payloads(min(20, count), setup["rounds"], seed=1)],
             concurrency=4)
        load = payloads(count, setup["rounds"])
        quiet = _probe.wait_for_quiet()
        meter.start()
        started = time.perf_counter()
        # The measured rush comes from the lean asyncio client, so that the load generator's own CPU
        # takes little from the server on this shared 2-core machine.
        outcomes = post_json_concurrently(server.base_url, path, load, headers, concurrency, probe=probing)
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
        # Then people arriving at the target rate (open loop), at most ``concurrency`` at a time.
        arrivals = [{**p, "email": "open-" + p["email"]} for p in payloads(count // 2, setup["rounds"], seed=3)]
        opened = time.perf_counter()
        paced = post_json_concurrently(server.base_url, path, arrivals, headers, concurrency, rate=TARGET_RATE)
        paced_elapsed = time.perf_counter() - opened
    finally:
        server.stop()
    ok = [o for o in outcomes if o["status"] == 201]
    paced_ok = [o for o in paced if o["status"] == 201]
    errors = len([o for o in outcomes + paced if o["status"] >= 500])
    lost = len(outcomes) + len(paced) - len(ok) - len(paced_ok)
    latencies = [o["client_ms"] for o in ok]
    paced_latencies = [o["client_ms"] for o in paced_ok]
    server = [o["server_ms"] for o in ok if o["server_ms"] is not None]
    counts = database_counts(database_url)
    rate = len(ok) / elapsed if elapsed else 0.0
    p50, p95, p99 = (percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    paced_p50, paced_p99 = percentile(paced_latencies, 0.5), percentile(paced_latencies, 0.99)
    name = f"registration_rush ({concurrency} clients, {workers} workers)"
    if probing:
        _report_probe(label, outcomes, probe_dir, cpu, elapsed)
    others = cpu["others"] / cpu["machine capacity"] * 100 if cpu["machine capacity"] else 0.0
    return [
        {"benchmark": name, "database": label, "metric": "registrations/s", "value": round(rate, 1),
         "target": f">= {TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
        # Closed loop: always ``concurrency`` in flight, so these are ``concurrency`` / throughput
        # (Little's law) — the wait for a free worker, a throughput figure rather than a user's latency.
        {"benchmark": name, "database": label, "metric": "p50 latency (ms)", "value": round(p50, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p95 latency (ms)", "value": round(p95, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p99 latency (ms)", "value": round(p99, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": f"{concurrency} / registrations/s (ms, Little's law)",
         "value": round(concurrency / rate * 1000, 1) if rate else 0.0, "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p50 / p99 server time (ms)",
         "value": f"{percentile(server, 0.5):.1f} / {percentile(server, 0.99):.1f}", "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": f"p50 latency at {TARGET_RATE:.0f}/s arriving (ms)",
         "value": round(paced_p50, 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": f"p99 latency at {TARGET_RATE:.0f}/s arriving (ms)",
         "value": round(paced_p99, 1), "target": f"<= {TARGET_P99_MS:.0f}", "ok": paced_p99 <= TARGET_P99_MS},
        {"benchmark": name, "database": label, "metric": f"registrations/s answered at {TARGET_RATE:.0f}/s arriving",
         "value": round(len(paced_ok) / paced_elapsed, 1) if paced_elapsed else 0.0, "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "server CPU per registration (ms)",
         "value": round(cpu["server"] / len(outcomes) * 1000, 2) if outcomes else 0.0, "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "machine busy just before the rush (%)",
         "value": round(quiet * 100), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "CPU other processes took during the rush (% of machine)",
         "value": round(others), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "overbooked seats", "value": counts["overbooked"],
         "target": "0", "ok": counts["overbooked"] == 0},
        {"benchmark": name, "database": label, "metric": "errors (5xx or lost)", "value": errors + lost,
         "target": "0", "ok": errors == 0 and lost == 0},
    ]


def _report_probe(label: str, outcomes: list[dict], probe_dir: Path, cpu: dict, elapsed: float) -> None:
    print(f"  {label}: where the client latency goes, p50 / p90 / p99 (ms)")
    for part, (p50, p90, p99) in _probe.breakdown(outcomes, probe_dir).items():
        print(f"    {part:<48} {p50:7.1f} {p90:7.1f} {p99:7.1f}")
    print(f"  {label}: CPU seconds in {elapsed:.1f} s (machine capacity {cpu['machine capacity']:.1f})")
    for part, seconds in cpu.items():
        print(f"    {part:<20} {seconds:6.1f}  ({seconds / elapsed * 100:5.0f} % of one core)")


def run() -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    count = int(os.environ.get("BENCH_RUSH_COUNT", "200" if quick else "2000"))
    concurrency = int(os.environ.get("BENCH_RUSH_CLIENTS", "50"))
    # As many sync workers as cores: a registration is CPU work (the database is local), and on this
    # 2-core machine four workers spend a third more CPU per registration on switching between them.
    workers = int(os.environ.get("BENCH_RUSH_WORKERS", str(max(2, os.cpu_count() or 2))))
    rows = on_both_databases("registration_rush", lambda label, url, workdir: run_one(
        label, url, workdir, count=count, concurrency=concurrency, workers=workers))
    for row in rows:
        print(f"  {row['database']:<10} {row['metric']:<22} {row['value']!s:>10}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
