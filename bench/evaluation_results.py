"""Evaluation results: the organiser's page ``/manage/<slug>/evaluations`` for an edition with 40 sessions
and 4,000 answers (100 per session on the default form: two 1–5 scales, a 0–10 scale, a choice and a
free text; 4 sessions and 400 answers with ``BENCH_QUICK=1``).

A throw-away SQLite database (and PostgreSQL, as the other page benchmarks: ``bench._support``) gets the
edition, its sessions, 100 door check-ins and the answers; the page is fetched through the test client
(each request its own application context, as in production) N times (15; 5 quick) and the median
reported. Target: under 200 ms. The run fails instead of timing an empty page when the page does not
show every session with its number of answers.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

from flask_migrate import upgrade

from bench._support import on_both_databases
from config import TestConfig
from congress import create_app
from congress.evaluations.models import EvaluationResponse
from congress.evaluations.rules import mark
from congress.extensions import db
from congress.questions import queries as question_queries
from tests.conftest import IsolatedClient
from tests.factories import make_congress, make_session, make_user

QUICK = os.environ.get("BENCH_QUICK") == "1"
SESSIONS = 4 if QUICK else 40
PER_SESSION = 100
REPEAT = 5 if QUICK else 15
TARGET_MS = 200
TEXTS = ["Direct toepasbaar in ons wijkteam.", "Meer tijd voor vragen uit de zaal, graag.",
         "Sterke voorbeelden van jongerenwerkers over online weerbaarheid.", "Te veel sheets, te weinig gesprek.",
         "Ik neem de aanpak van de buurtvaders mee naar onze gemeente."]


def _answers(questions, rnd: random.Random) -> dict:
    answers = {}
    for q in questions:
        if q.kind == "scale_5":
            answers[str(q.id)] = rnd.randint(1, 5)
        elif q.kind == "scale_10":
            answers[str(q.id)] = rnd.randint(0, 10)
        elif q.options:
            answers[str(q.id)] = rnd.choice([o["value"] for o in q.options])
        elif rnd.random() < 0.4:
            answers[str(q.id)] = rnd.choice(TEXTS)
    return answers


def _run_one(label: str, url: str, workdir: Path) -> list[dict]:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, HUEY_SQLITE_PATH=str(workdir / "huey.db"),
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_MAX_ATTEMPTS=1)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        congress = make_congress("bench-evaluaties", tracks=4, rooms=4)
        sessions = [make_session(congress, start=f"{9 + i % 8:02d}:00", end=f"{9 + i % 8:02d}:50",
                                 title=f"Workshop {i + 1:02d}", room_index=i % 4, track_index=i % 4)
                    for i in range(SESSIONS)]
        db.session.commit()
        questions = question_queries.questions(congress, "evaluation")
        rnd = random.Random(17)
        registration_ids = range(1, SESSIONS * PER_SESSION + 1)  # marks only: the answers name nobody
        for session, start in zip(sessions, range(0, SESSIONS * PER_SESSION, PER_SESSION), strict=True):
            db.session.add_all(EvaluationResponse(congress_id=congress.id, session_id=session.id,
                                                  mark=mark(registration_ids[start + n], session.id),
                                                  answers=_answers(questions, rnd)) for n in range(PER_SESSION))
        db.session.commit()
        organiser = make_user("organiser", email="organisator@bench.example")
        client = app.test_client(user=organiser)
        path = f"/manage/{congress.slug}/evaluations"
        page = client.get(path)
        body = page.get_data(as_text=True)
        # The benchmark measures what it says: every session is on the page with its answers.
        missing = [s.title for s in sessions if s.title not in body]
        if page.status_code != 200 or missing or "Direct toepasbaar" not in body:
            raise RuntimeError(f"results page {page.status_code}; sessions missing: {missing[:3]}")
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        db.session.remove()
        db.engine.dispose()
    median = statistics.median(times)
    answers = SESSIONS * PER_SESSION
    print(f"  {label}: results page median {median:.0f} ms (min {min(times):.0f}, max {max(times):.0f})",
          flush=True)
    return [{"benchmark": f"evaluation results ({SESSIONS} sessions, {answers} answers)", "database": label,
             "metric": f"/manage/<slug>/evaluations, median of {REPEAT} (ratio to the target)",
             "value": f"{median:.0f} ms ({median / TARGET_MS:.2f}×)", "target": f"< {TARGET_MS} ms",
             "ok": median < TARGET_MS}]


def run() -> list[dict]:
    return on_both_databases("evaluation_results", _run_one)


if __name__ == "__main__":
    for row in run():
        print(row)
