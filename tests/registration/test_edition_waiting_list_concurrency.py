"""The edition's waiting list under real concurrent clients against gunicorn with 2 worker processes (runs
on SQLite and on PostgreSQL, by TEST_DATABASE_URL): 60 registrations at once for 20 places give exactly
20 holders and 40 waiting in a strict order without duplicate places; then 5 cancellations at once through
the personal pages promote exactly the first 5 waiting."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import open_congress
from tests.support import fire, start_gunicorn

CLIENTS = 60
PLACES = 20
CANCELLATIONS = 5
HOLDING = ("pending", "confirmed")


def _cancel_all_at_once(manage_urls: list[str]) -> list[int]:
    """Each client opens its cancel page (session cookie, CSRF token), then all post at the same moment."""
    barrier = threading.Barrier(len(manage_urls))

    def one(url: str) -> int:
        page = requests.get(url + "/cancel", timeout=30)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
            r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        # Production cookies are Secure; on this plain-http loopback the client hands the session back itself.
        cookie = "; ".join(f"{c.name}={c.value}" for c in page.cookies)
        barrier.wait(timeout=30)
        return requests.post(url + "/cancel", data={"csrf_token": token.group(1)}, headers={"Cookie": cookie},
                             timeout=60, allow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=len(manage_urls)) as pool:
        return list(pool.map(one, manage_urls))


@pytest.mark.slow
def test_60_at_once_for_20_places_then_5_cancellations_promote_exactly_5(app, tmp_path):
    congress = open_congress("wachtlijst-rush", capacity=PLACES)
    services.set_waiting_list(congress, True)
    secret = create_api_token("rush-wachtlijst", "registrations").secret
    db.session.commit()
    slug, congress_id = congress.slug, congress.id
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=2)
    try:
        payloads = [{"name": f"Deelnemer {i}", "email": f"wacht{i}@example.org", "sector": "gemeente",
                     "consent_privacy": True, "confirmed": i % 2 == 0} for i in range(CLIENTS)]
        outcomes = fire(server.base_url, slug, secret, payloads, concurrency=CLIENTS, timeout=60, together=True)
        assert sorted(o.status for o in outcomes) == [201] * CLIENTS, [o.body for o in outcomes if o.status != 201]

        db.session.rollback()  # a fresh snapshot
        rows = db.session.execute(sa.select(Registration.id, Registration.status, Registration.waitlist_position)
                                  .where(Registration.congress_id == congress_id).order_by(Registration.id)).all()
        holders = [r for r in rows if r.status in HOLDING]
        waiting = [r for r in rows if r.status == "waitlisted"]
        assert len(rows) == CLIENTS and len(holders) == PLACES and len(waiting) == CLIENTS - PLACES
        # Strict order: the places went to the first 20 to take the edition's lock (numbered in that
        # order), the waiting list follows it, and no two people share a place on it.
        assert max(r.id for r in holders) < min(r.id for r in waiting)
        assert [r.waitlist_position for r in waiting] == list(range(1, CLIENTS - PLACES + 1))
        assert all(r.waitlist_position is None for r in holders)
        answered = sorted(o.body["waiting_position"] for o in outcomes if o.body["status"] == "waitlisted")
        assert answered == list(range(1, CLIENTS - PLACES + 1))
        assert sum(1 for o in outcomes if o.body["status"] in HOLDING) == PLACES

        by_id = {o.body["id"]: o.body["manage_url"] for o in outcomes}
        leaving = [by_id[r.id] for r in holders[:CANCELLATIONS]]
        statuses = _cancel_all_at_once(leaving)
        assert statuses == [302] * CANCELLATIONS, statuses
    finally:
        server.stop()

    db.session.rollback()
    after = {r.id: r for r in db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.waitlist_position)
        .where(Registration.congress_id == congress_id)).all()}
    assert sum(1 for r in after.values() if r.status == "cancelled") == CANCELLATIONS
    assert sum(1 for r in after.values() if r.status in HOLDING) == PLACES  # never more, never fewer
    first_waiting = [r.id for r in waiting[:CANCELLATIONS]]
    assert all(after[i].status in HOLDING and after[i].waitlist_position is None for i in first_waiting)
    still = sorted(r.waitlist_position for r in after.values() if r.status == "waitlisted")
    assert still == list(range(CANCELLATIONS + 1, CLIENTS - PLACES + 1))
    promoted = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.edition_waitlist_promoted"))
    assert promoted == CANCELLATIONS
