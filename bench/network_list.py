"""The participants' network: the list ``/my/<secret>/participants`` for an edition with 3,000 confirmed
attendees, 2,000 of them in the network, each in one of 12 workshops (600 and 400 with ``BENCH_QUICK=1``).

A throw-away SQLite database and PostgreSQL database (``bench._support``) get the edition; the people are
inserted in bulk (their personal links are not needed, the viewer's is made by the service). The page is
fetched through the test client (each request its own application context) unfiltered (page 1 of 40:
the count, the page, its workshops and the filters' values), filtered by workshop, and with a name search;
median wall time of N fetches (15; 5 quick), with the process's CPU time beside it (the machine is shared).
Target: the median under 200 ms. The run fails instead of timing an empty page when the page does not
show the expected count.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench._support import on_both_databases
from config import TestConfig
from congress import create_app
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services as registration
from congress.registration.models import Enrolment, Registration
from congress.tokens import hash_secret
from tests.conftest import IsolatedClient
from tests.registration.factories import add_round, open_congress, registered

QUICK = os.environ.get("BENCH_QUICK") == "1"
PEOPLE = 600 if QUICK else 3000
REPEAT = 5 if QUICK else 15
TARGET_MS = 200
ORGANISATIONS = ["Gemeente Utrecht", "Gemeente Zwolle", "GGD Twente", "Politie Oost-Nederland", "Stichting Jeugd",
                 "Veilig Thuis", "Wijkteam Deventer", "Hogeschool Windesheim"]


def _people(congress, sessions, sector_id) -> None:
    now = utcnow()
    rows = [{"congress_id": congress.id, "name": f"Deelnemer {i:05d}", "email": f"p{i}@bench.example",
             "email_key": f"p{i}@bench.example", "organisation": ORGANISATIONS[i % len(ORGANISATIONS)],
             "function": "beleidsadviseur", "sector_id": sector_id, "dietary": "", "accessibility": "",
             "answers": {}, "consent_privacy": True, "consent_attendee_list": True, "consent_photos": False,
             "consent_network": i % 3 != 0, "role": "deelnemer", "status": "confirmed", "locale": "nl",
             "source": "api", "manage_secret_hash": hash_secret(f"bench-{i}"), "manage_nonce": f"n{i}",
             "created_at": now, "updated_at": now, "confirmed_at": now} for i in range(PEOPLE)]
    db.session.execute(sa.insert(Registration.__table__), rows)
    ids = list(db.session.scalars(sa.select(Registration.id).where(Registration.congress_id == congress.id)
                                  .order_by(Registration.id)))
    db.session.execute(sa.insert(Enrolment.__table__), [
        {"registration_id": r, "session_id": sessions[n % len(sessions)].id, "status": "enrolled",
         "over_capacity": False, "created_at": now, "round_id": None} for n, r in enumerate(ids)])
    db.session.commit()


def _timed(client, path: str) -> tuple[float, float]:
    times, cpu = [], []
    for _ in range(REPEAT):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


def _run_one(label: str, url: str, workdir: Path) -> list[dict]:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, HUEY_SQLITE_PATH=str(workdir / "huey.db"),
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_MAX_ATTEMPTS=1)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    rows = []
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        congress = open_congress("bench-netwerk")
        sessions = []
        for r in range(3):
            sessions += add_round(congress, f"Ronde {r + 1}", capacities=(None,) * 4, start=f"{10 + r}:00",
                                  end=f"{10 + r}:50")[1]
        sector_id = registration.sectors(congress)[0].id
        _people(congress, sessions, sector_id)
        viewer = registered(congress, confirmed=True, name="Kijker", email="kijker@bench.example",
                            consent_network=True).registration
        db.session.commit()
        listed = sum(1 for i in range(PEOPLE) if i % 3 != 0)
        secret = registration.manage_secret(viewer)
        client = app.test_client()
        base = f"/my/{secret}/participants"
        body = client.get(base).get_data(as_text=True)
        if f"{listed} deelnemers" not in body:
            raise RuntimeError(f"the list does not show {listed} participants")
        cases = [("unfiltered, page 1", base), ("one workshop", f"{base}?workshop={sessions[5].id}"),
                 ("name search", f"{base}?q=deelnemer%2001")]
        for name, path in cases:
            median, cpu = _timed(client, path)
            print(f"  {label}: {name} median {median:.0f} ms (CPU {cpu:.0f} ms)", flush=True)
            rows.append({"benchmark": f"participants' network ({listed} listed of {PEOPLE + 1})", "database": label,
                         "metric": f"/my/<secret>/participants, {name}: median of {REPEAT} (CPU time)",
                         "value": f"{median:.0f} ms (CPU {cpu:.0f} ms)", "target": f"< {TARGET_MS} ms",
                         "ok": median < TARGET_MS})
        db.session.remove()
        db.engine.dispose()
    return rows


def run() -> list[dict]:
    return on_both_databases("network_list", _run_one)


if __name__ == "__main__":
    for row in run():
        print(row)
