"""Registration rush: 50 concurrent clients register 2,000 people with workshop choices (two rounds of
four workshops of 30 seats, so most end on a waiting list) against gunicorn with as many sync workers
as cores (at least 2) on SQLite and on PostgreSQL. Each client sends its next registration as soon
as the last is answered (closed loop, no think time), so the client latency includes the wait for a
free worker: at R registrations/s the mean is about 50/R seconds. Reports registrations/s, client
p50/p95/p99 latency, the app's own time (Server-Timing) and overbooked seats (must be 0).

    python -m bench registration_rush          # or: make bench
    BENCH_QUICK=1 python -m bench registration_rush

gunicorn and the load clients live in tests/support (the 200-concurrent-registrations test in
tests/registration/test_concurrency.py uses them too); they are re-exported here for older callers.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from pathlib import Path

from bench._support import ROOT, on_both_databases, percentile
from tests.support import Server, fire, free_port, post_json_concurrently, start_gunicorn

__all__ = ["ROOT", "Server", "fire", "free_port", "percentile", "prepare", "start_gunicorn"]
TARGET_RATE = 150.0
TARGET_P99_MS = 300.0


# --- a throw-away database with an open edition --------------------------------------------------


def prepare(database_url: str, instance_dir: Path, *, rounds: int = 2, sessions_per_round: int = 4,
            capacity: int = 30) -> dict:
    """Migrate an empty database and add an open edition with sign-up rounds and an API token."""
    from flask_migrate import upgrade

    from congress import create_app
    from congress.accounts.services import create_api_token
    from congress.database import utcnow
    from congress.extensions import db
    from congress.programme.models import SignupRound
    from congress.registration import services
    from tests.factories import make_congress, make_session

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
    import sqlalchemy as sa

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
    server = start_gunicorn(database_url, workdir / "instance", workers=workers)
    try:
        # A short warm-up (connections, template caches), then the measured rush.
        fire(server.base_url, setup["slug"], setup["token"],
             [{**p, "email": "warm-" + p["email"]} for p in payloads(min(20, count), setup["rounds"], seed=1)],
             concurrency=4)
        load = payloads(count, setup["rounds"])
        started = time.perf_counter()
        # The measured rush comes from the lean asyncio client, so that the load generator's own CPU
        # takes little from the server on this shared 2-core machine.
        outcomes = post_json_concurrently(server.base_url, f"/api/v1/congresses/{setup['slug']}/registrations",
                                          load, {"Authorization": f"Bearer {setup['token']}"}, concurrency)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    ok = [o for o in outcomes if o["status"] == 201]
    errors = len([o for o in outcomes if o["status"] >= 500])
    latencies = [o["client_ms"] for o in ok]
    server = [o["server_ms"] for o in ok if o["server_ms"] is not None]
    counts = database_counts(database_url)
    rate = len(ok) / elapsed if elapsed else 0.0
    p50, p95, p99 = (percentile(latencies, q) for q in (0.5, 0.95, 0.99))
    name = f"registration_rush ({concurrency} clients, {workers} workers)"
    return [
        {"benchmark": name, "database": label, "metric": "registrations/s", "value": round(rate, 1),
         "target": f">= {TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
        {"benchmark": name, "database": label, "metric": "p50 latency (ms)", "value": round(p50, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p95 latency (ms)", "value": round(p95, 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "p99 latency (ms)", "value": round(p99, 1),
         "target": f"<= {TARGET_P99_MS:.0f}", "ok": p99 <= TARGET_P99_MS},
        {"benchmark": name, "database": label, "metric": "p50 / p99 server time (ms)",
         "value": f"{percentile(server, 0.5):.1f} / {percentile(server, 0.99):.1f}", "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "overbooked seats", "value": counts["overbooked"],
         "target": "0", "ok": counts["overbooked"] == 0},
        {"benchmark": name, "database": label, "metric": "errors (5xx or lost)",
         "value": errors + (len(outcomes) - len(ok)),
         "target": "0", "ok": errors == 0 and len(ok) == len(outcomes)},
    ]


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
