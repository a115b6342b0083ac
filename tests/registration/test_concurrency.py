"""Never overbooked: 200 concurrent registrations from real clients against gunicorn with 2 worker
processes, for a workshop of 30 seats (runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.extensions import db
from congress.registration.models import Enrolment, Registration
from tests.registration.factories import add_round, open_congress
from tests.support import fire, start_gunicorn

CLIENTS = 200
SEATS = 30


@pytest.mark.slow
def test_200_concurrent_registrations_never_overbook(app, tmp_path):
    congress = open_congress("rush")
    _, (workshop,) = add_round(congress, capacities=(SEATS,))
    secret = create_api_token("rush", "registrations").secret
    db.session.commit()
    workshop_id, slug, congress_id = workshop.id, congress.slug, congress.id
    db.session.commit()
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=2)
    try:
        started = time.monotonic()
        payloads = [{"name": f"Deelnemer {i}", "email": f"rush{i}@example.org", "sector": "gemeente",
                     "consent_privacy": True, "confirmed": True, "sessions": [workshop_id]}
                    for i in range(CLIENTS)]
        outcomes = fire(server.base_url, slug, secret, payloads, concurrency=CLIENTS, timeout=60,
                        together=True)
        assert time.monotonic() - started < 60
    finally:
        server.stop()
    db.session.rollback()  # a fresh snapshot (SQLite WAL readers see the database as their transaction began)
    statuses = sorted(o.status for o in outcomes)
    assert all(s < 500 for s in statuses), statuses
    assert statuses == [201] * CLIENTS, statuses
    acknowledged = {o.body["id"] for o in outcomes}
    stored = set(db.session.scalars(sa.select(Registration.id).where(Registration.congress_id == congress_id)))
    assert acknowledged == stored and len(stored) == CLIENTS  # every acknowledged one is in the database
    enrolments = db.session.scalars(
        sa.select(Enrolment).where(Enrolment.session_id == workshop_id).order_by(Enrolment.registration_id)).all()
    enrolled = [e for e in enrolments if e.status == "enrolled"]
    waiting = [e for e in enrolments if e.status == "waitlisted"]
    assert len(enrolled) == SEATS
    assert len(waiting) == CLIENTS - SEATS
    # Arrival order: registrations are numbered in the order they took the lock; the first 30 have the
    # seats and the waiting list follows that order without gaps.
    assert max(e.registration_id for e in enrolled) < min(e.registration_id for e in waiting)
    assert [e.position for e in waiting] == sorted(e.position for e in waiting)
    assert sorted(e.position for e in waiting) == list(range(1, CLIENTS - SEATS + 1))
    answered = {o.body["id"]: o.body["enrolments"][0] for o in outcomes}
    assert sum(1 for a in answered.values() if a["status"] == "enrolled") == SEATS
    assert sorted(a["position"] for a in answered.values() if a["status"] == "waitlisted") == list(
        range(1, CLIENTS - SEATS + 1))
