"""Call for proposals: ranking, the proposals page and the c3voc export with many reviewed proposals.

A throw-away SQLite database (and PostgreSQL when ``BENCH_POSTGRES_URL`` is set) gets 4 tracks,
N proposals (400; 40 with ``BENCH_QUICK=1``) and three reviews each on four weighted criteria.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from config import TestConfig
from congress import create_app
from congress.cfp import services
from congress.cfp.models import Proposal, ProposalSpeaker, ProposalStatus, Review, ReviewAssignment
from congress.core.models import Person
from congress.extensions import db
from tests.cfp.factories import open_call
from tests.conftest import IsolatedClient
from tests.factories import make_congress, make_user

QUICK = os.environ.get("BENCH_QUICK") == "1"
PROPOSALS = 40 if QUICK else 400
REPEAT = 3 if QUICK else 7


def _timed(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _run_one(url: str, label: str) -> list[dict]:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    tmp = tempfile.mkdtemp(prefix="bench-cfp-")
    settings.update(SQLALCHEMY_DATABASE_URI=url, HUEY_SQLITE_PATH=str(Path(tmp) / "huey.db"),
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_MAX_ATTEMPTS=1)
    app = create_app(settings)

    app.test_client_class = IsolatedClient
    rows = []
    with app.app_context():
        if label == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))

        congress = make_congress("bench", tracks=4)
        open_call(congress)
        organiser = make_user("organiser", email="org@bench.example")
        reviewers = [make_user("reviewer", email=f"r{i}@bench.example", name=f"R{i}") for i in range(6)]
        crit = services.criteria(congress)
        fmt = services.formats(congress)[0]
        rnd = random.Random(7)
        for i in range(PROPOSALS):
            person = Person(name=f"Spreker {i}", email=f"s{i}@bench.example", organisation=f"Organisatie {i}")
            proposal = Proposal(congress_id=congress.id, guid=f"00000000-0000-4000-8000-{i:012d}",
                                status=ProposalStatus.SUBMITTED.value, title=f"Voorstel {i}", abstract="Samenvatting",
                                format_id=fmt.id, duration=60, track_id=congress.tracks[i % 4].id,
                                protective_factor="sociale cohesie")
            proposal.speakers.append(ProposalSpeaker(person=person, is_owner=True))
            for r in rnd.sample(reviewers, 3):
                proposal.reviews.append(Review(reviewer_id=r.id,
                                               scores={str(c.id): rnd.randint(1, 5) for c in crit}))
            db.session.add(proposal)
        for i, r in enumerate(reviewers):
            db.session.add(ReviewAssignment(congress_id=congress.id, reviewer_id=r.id,
                                            track_id=congress.tracks[i % 4].id))
        db.session.commit()

        # The benchmark measures what it says: every proposal is ranked and exported, and the pages
        # list them (else it fails instead of timing empty answers).
        ranked = sum(len(rows) for rows in services.ranking(congress, organiser).values())
        exported = len(services.export_json(congress, organiser))
        listed = app.test_client(user=organiser).get(f"/manage/cfp/{congress.slug}/proposals")
        if ranked != PROPOSALS or exported != PROPOSALS or listed.status_code != 200 \
                or f"Voorstel {PROPOSALS - 1}<".encode() not in listed.data:
            raise RuntimeError(f"ranked {ranked}, exported {exported} of {PROPOSALS} proposals; "
                               f"proposals page {listed.status_code}")
        ranking_ms = _timed(lambda: services.ranking(congress, organiser))
        export_ms = _timed(lambda: services.export_json(congress, organiser))
        progress_ms = _timed(lambda: services.progress(congress, organiser))
        client = app.test_client(user=organiser)
        page_ms = _timed(lambda: client.get(f"/manage/cfp/{congress.slug}/proposals"))
        reviewer_page_ms = _timed(lambda: app.test_client(user=reviewers[0]).get(
            f"/manage/cfp/{congress.slug}/proposals"))
        db.session.remove()
        db.engine.dispose()
    name = f"cfp review ({PROPOSALS} proposals, 3 reviews each)"
    for metric, value, target in (
        ("ranking per track, median ms", ranking_ms, 1000), ("c3voc JSON export, median ms", export_ms, 1000),
        ("review progress, median ms", progress_ms, 1000), ("organiser proposals page, median ms", page_ms, 1500),
        ("reviewer proposals page, median ms", reviewer_page_ms, 1500),
    ):
        rows.append({"benchmark": name, "database": label, "metric": metric, "value": round(value, 1),
                     "target": f"< {target}", "ok": value < target})
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = _run_one(f"sqlite:///{tmp}/bench.db", "sqlite")
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        rows += _run_one(pg, "postgresql")
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
