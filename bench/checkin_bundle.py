"""The check-in station's bundle at 20,000 registrations (realistic Dutch names, organisations, notes,
workshop enrolments, 1 % replaced badges), on SQLite and on PostgreSQL, in process through the Flask
test client with a station token: the full bundle's size uncompressed, with gzip (what Chromium asks
for over plain HTTP) and with brotli; an unchanged poll (``If-None-Match`` + ``?since=``, 304): the
app's own time (its Server-Timing), wall and CPU time (``time.process_time``) per poll, median and p95
of 300; a delta after 10 changes (3 new registrations, 3 edits, 2 cancellations, 2 replaced badges):
its size on the wire and that applying it gives the full bundle.

    python -m bench checkin_bundle
    BENCH_QUICK=1 python -m bench checkin_bundle      # 2,000 registrations
"""

from __future__ import annotations

import gzip
import json
import os
import random
import secrets
import statistics
import time
from datetime import timedelta
from pathlib import Path

import brotli
import sqlalchemy as sa
from flask_migrate import upgrade

from bench._support import ROOT, on_both_databases, percentile
from congress import create_app
from congress.badges import services as badges
from congress.badges import tokens
from congress.badges.models import IssuedCode
from congress.checkin import services as checkin
from congress.checkin.models import Station
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services as registration
from congress.registration.models import Enrolment, Registration
from tests.registration.factories import add_round, data, open_congress

TARGET_FULL_BYTES = 1_000_000
TARGET_POLL_MS = 5.0
TARGET_DELTA_BYTES = 2_000
POLLS = 300

_FIRST = ["Anna", "Bram", "Daan", "Emma", "Fatima", "Fleur", "Hamza", "Iris", "Jan", "Julia", "Kees", "Lotte",
          "Mohamed", "Noor", "Pieter", "Roos", "Sanne", "Sem", "Thijs", "Yara", "Zeynep", "Ömer", "Anouk", "Bas"]
_LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
         "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "el Amrani", "Yılmaz",
         "Brouwer", "de Wit", "Dijkstra", "Smits", "van Dijk", "Kramer", "Öztürk", "Bouzid"]
_ORGANISATIONS = ["Gemeente Utrecht", "Gemeente Zwolle", "Gemeente Rotterdam", "Politie Eenheid Oost-Nederland",
                  "Veiligheidsregio Twente", "GGD Hollands Midden", "Stichting Jeugdwerk Noord", "Halt Nederland",
                  "Ministerie van Justitie en Veiligheid", "Movisie", "Wijkteam Kanaleneiland", "Reclassering",
                  "Hogeschool Windesheim", "Rode Kruis", "Bibliotheek Amersfoort", ""]
# Surnames made of Dutch parts, so that 20,000 people are nearly as varied as real ones (a short list
# of names would compress far better than a real edition's attendees).
_PREFIXES = ["", "", "", "van ", "de ", "van der ", "van den ", "ter ", "el "]
_STEMS = ["Berg", "Meer", "Hout", "Brink", "Veld", "Dijk", "Bosch", "Hoek", "Kamp", "Water", "Molen", "Horst",
          "Steen", "Broek", "Wijk", "Vliet", "Haar", "Kroon", "Lind", "Zand", "Amr", "Yıld", "Bouz", "Özd"]
_ENDS = ["", "man", "sma", "stra", "ink", "ema", "er", "ing", "ani", "iz", "emir", "hof", "kens", "enga"]
_TOWNS = ["Utrecht", "Zwolle", "Rotterdam", "Almere", "Groningen", "Tilburg", "Enschede", "Arnhem", "Leiden",
          "Dordrecht", "Zaanstad", "Heerlen", "Emmen", "Delft", "Venlo", "Deventer", "Amersfoort", "Hengelo",
          "Lelystad", "Sittard-Geleen", "Súdwest-Fryslân", "Den Helder", "Capelle aan den IJssel", "Assen"]
_NOTES = ["", "", "", "", "", "", "", "vegetarisch", "halal", "rolstoel", "glutenvrij", "doof: tolk NGT"]


def _name(rng: random.Random) -> str:
    last = rng.choice(_LAST) if rng.random() < 0.3 else \
        rng.choice(_PREFIXES) + rng.choice(_STEMS) + rng.choice(_ENDS)
    return f"{rng.choice(_FIRST)} {last}"


def _organisation(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"Gemeente {rng.choice(_TOWNS)}"
    if kind < 0.55:
        return f"Wijkteam {rng.choice(_TOWNS)} {rng.choice(['Noord', 'Zuid', 'Oost', 'West', 'Centrum'])}"
    return rng.choice(_ORGANISATIONS)


def prepare(database_url: str, instance_dir: Path, attendees: int) -> tuple:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_SQLITE_PATH": str(instance_dir / "h.db"),
                      "TESTING": True, "HUEY_IMMEDIATE": True})
    rng = random.Random(20)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        congress = open_congress("bundel")
        _, sessions = add_round(congress, capacities=(None, None, None))
        people = []
        for i in range(attendees):
            note = rng.choice(_NOTES)
            people.append(Registration(
                congress_id=congress.id, name=_name(rng),
                email=f"deelnemer{i}@example.org", email_key=f"deelnemer{i}@example.org",
                organisation=_organisation(rng), status="confirmed" if rng.random() < 0.95 else "pending",
                dietary=note if note in ("vegetarisch", "halal", "glutenvrij") else "",
                accessibility=note if note in ("rolstoel", "doof: tolk NGT") else "",
                manage_secret_hash=secrets.token_hex(32), manage_nonce=secrets.token_hex(12)))
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            if rng.random() < 0.6:
                session = rng.choice(sessions)
                db.session.add(Enrolment(registration_id=person.id, session_id=session.id,
                                         round_id=session.signup_round_id, status="enrolled"))
        key = badges.ensure_edition_key(congress)
        for person in people:
            nonce = tokens.new_nonce()
            revoked = utcnow() if rng.random() < 0.01 else None
            db.session.add(IssuedCode(congress_id=congress.id, registration_id=person.id, nonce=nonce.hex(),
                                      code=tokens.sign(key.private_key, congress.id, person.id, nonce),
                                      revoked_at=revoked))
        db.session.commit()
        _, secret = checkin.create_station(congress, "Ingang Noord")
        db.session.commit()
        slug, ids, session_ids = congress.slug, [p.id for p in people], [s.id for s in sessions]
        db.session.remove()
    return app, slug, secret, ids, session_ids


def _server_ms(response) -> float:
    return float(response.headers["Server-Timing"].split("dur=")[1])


def ten_changes(app, slug: str, ids: list[int], session_ids: list[int]) -> None:
    from congress.core.queries import congress_by_slug  # noqa: PLC0415

    rng = random.Random(10)
    with app.test_request_context():
        congress = congress_by_slug(slug)
        for n in range(3):
            registration.register(congress, data(congress, name=f"Nieuwe Deelnemer {n}", email=f"nieuw{n}@example.org",
                                                 organisation="Gemeente Almere"), [session_ids[0]], confirmed=True)
        picked = [db.session.get(Registration, i) for i in rng.sample(ids, 7)]
        for person in picked[:3]:
            registration.update_details(person, data(congress, name=person.name + " (gewijzigd)", email=person.email,
                                                     organisation=person.organisation))
        for person in picked[3:5]:
            registration.cancel(person, notify=False)
        for person in picked[5:7]:
            badges.reissue_code(person)
        db.session.remove()


def run_one(label: str, database_url: str, workdir: Path, attendees: int) -> list[dict]:
    app, slug, secret, ids, session_ids = prepare(database_url, workdir, attendees)
    url = f"/api/v1/congresses/{slug}/checkin-bundle"
    station = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    client.get(url, headers=station)  # warm up (imports, caches, the first connection)

    plain = client.get(url, headers={**station, "Accept-Encoding": "identity"})
    full = plain.get_json()
    wall, cpu = time.perf_counter(), time.process_time()
    zipped = client.get(url, headers={**station, "Accept-Encoding": "gzip"})
    full_wall_ms, full_cpu_ms = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    cpu = time.process_time()
    br = client.get(url, headers={**station, "Accept-Encoding": "gzip, br"})
    br_cpu_ms = (time.process_time() - cpu) * 1000
    assert zipped.headers["Content-Encoding"] == "gzip" and br.headers["Content-Encoding"] == "br"
    etag = zipped.headers["ETag"]

    def polls(count: int, seen_long_ago: bool) -> tuple[list[float], list[float], list[float]]:
        server_ms, wall_ms, cpu_ms = [], [], []
        for _ in range(count):
            if seen_long_ago:  # outside the timing: the poll that writes when the station was last seen
                with app.app_context():
                    db.session.execute(sa.update(Station).values(last_seen_at=utcnow() - timedelta(hours=1)))
                    db.session.commit()
                    db.session.remove()
            wall, cpu = time.perf_counter(), time.process_time()
            poll = client.get(url, query_string={"since": full["version"]},
                              headers={**station, "If-None-Match": etag, "Accept-Encoding": "gzip, br"})
            wall_ms.append((time.perf_counter() - wall) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
            assert poll.status_code == 304, poll.status_code
            server_ms.append(_server_ms(poll))
        return server_ms, wall_ms, cpu_ms

    server_ms, wall_ms, cpu_ms = polls(POLLS, seen_long_ago=False)
    seen_ms, _, seen_cpu_ms = polls(POLLS // 3, seen_long_ago=True)

    ten_changes(app, slug, ids, session_ids)
    delta_zipped = client.get(url, query_string={"since": full["version"]},
                              headers={**station, "If-None-Match": etag, "Accept-Encoding": "gzip"})
    delta_br = client.get(url, query_string={"since": full["version"]},
                          headers={**station, "If-None-Match": etag, "Accept-Encoding": "gzip, br"})
    delta = json.loads(gzip.decompress(delta_zipped.data))
    assert json.loads(brotli.decompress(delta_br.data))["changed"] == delta["changed"]
    raw_delta = len(json.dumps(delta, ensure_ascii=False, separators=(",", ":")).encode())
    with app.app_context():
        applied = checkin.apply_bundle_delta(full, delta)
    now = client.get(url, headers={**station, "Accept-Encoding": "identity"}).get_json()
    equal = all(applied[k] == now[k] for k in now if k != "generated_at")
    with app.app_context():
        db.engine.dispose()

    name = f"checkin_bundle ({attendees} registrations)"
    p95 = percentile(server_ms, 0.95)
    cpu_p95 = percentile(cpu_ms, 0.95)
    rows = [
        ("full bundle, uncompressed (bytes)", len(plain.data), "", None),
        ("full bundle, gzip on the wire (bytes)", len(zipped.data), f"< {TARGET_FULL_BYTES}",
         len(zipped.data) < TARGET_FULL_BYTES),
        ("full bundle, brotli on the wire (bytes)", len(br.data), f"< {TARGET_FULL_BYTES}",
         len(br.data) < TARGET_FULL_BYTES),
        ("full bundle, gzip: app / wall / CPU (ms)",
         f"{_server_ms(zipped):.0f} / {full_wall_ms:.0f} / {full_cpu_ms:.0f}", "", None),
        ("full bundle, brotli: app / CPU (ms)", f"{_server_ms(br):.0f} / {br_cpu_ms:.0f}", "", None),
        ("unchanged poll (304): app time p50 (ms)", round(statistics.median(server_ms), 2),
         f"< {TARGET_POLL_MS:.0f}", statistics.median(server_ms) < TARGET_POLL_MS),
        ("unchanged poll (304): CPU p50 / p95 (ms)",
         f"{statistics.median(cpu_ms):.2f} / {cpu_p95:.2f}", f"< {TARGET_POLL_MS:.0f}", cpu_p95 < TARGET_POLL_MS),
        ("unchanged poll (304): app time p95, wall p50 / p95 (ms; waits for a busy CPU)",
         f"{p95:.2f}, {statistics.median(wall_ms):.2f} / {percentile(wall_ms, 0.95):.2f}", "", None),
        ("unchanged poll writing last-seen (1 in 5): app p50 / p95, CPU p50 (ms)",
         f"{statistics.median(seen_ms):.2f} / {percentile(seen_ms, 0.95):.2f}, {statistics.median(seen_cpu_ms):.2f}",
         "", None),
        ("delta of 10 changes: registrations listed", len(delta["changed"]), "10", len(delta["changed"]) == 10),
        ("delta of 10 changes, uncompressed (bytes)", raw_delta, "", None),
        ("delta of 10 changes, gzip on the wire (bytes)", len(delta_zipped.data), f"< {TARGET_DELTA_BYTES}",
         len(delta_zipped.data) < TARGET_DELTA_BYTES),
        ("delta of 10 changes, brotli on the wire (bytes)", len(delta_br.data), f"< {TARGET_DELTA_BYTES}",
         len(delta_br.data) < TARGET_DELTA_BYTES),
        ("full bundle + delta equals the new full bundle", "yes" if equal else "no", "yes", equal),
    ]
    return [{"benchmark": name, "database": label, "metric": metric, "value": value, "target": target, "ok": ok}
            for metric, value, target, ok in rows]


def run() -> list[dict]:
    attendees = int(os.environ.get("BENCH_ATTENDEES", "2000" if os.environ.get("BENCH_QUICK") == "1" else "20000"))
    rows = on_both_databases("checkin_bundle", lambda label, url, workdir: run_one(label, url, workdir, attendees))
    for row in rows:
        print(f"  {row['database']:<10} {row['metric']:<50} {row['value']!s:>16}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
