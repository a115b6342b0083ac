"""Reserved places hold under 100 concurrent registrations from real clients against gunicorn with 2
worker processes: 20 places, 10 of them held for an invitation list of 15 members."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.database import utcnow
from congress.extensions import db
from congress.invitations import services
from congress.registration.models import Registration
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import open_congress
from tests.support import fire, start_gunicorn

CLIENTS = 100
CAPACITY = 20
RESERVED = 10
MEMBERS = 15


@pytest.mark.slow
def test_reserved_places_hold_under_100_concurrent_registrations(app, tmp_path):
    congress = open_congress("gereserveerd", capacity=CAPACITY)
    services.import_contacts(congress, "f.csv", csv_bytes(contacts(MEMBERS)), "Focusgemeenten")
    list_id = db.session.scalar(sa.text("SELECT id FROM invitation_lists"))
    services.update_list(list_id, "Focusgemeenten", RESERVED, utcnow().date() + timedelta(days=14))
    secret = create_api_token("gereserveerd", "registrations").secret
    db.session.commit()
    slug, congress_id = congress.slug, congress.id
    members = {f"wethouder{i}@gemeente{i}.nl" for i in range(MEMBERS)}
    # Members mixed in among the others, late in the queue, so that the others try to take their places first.
    others = [f"iemand{i}@example.org" for i in range(CLIENTS - MEMBERS)]
    emails = others[:60] + sorted(members) + others[60:]
    payloads = [{"name": f"Deelnemer {i}", "email": email, "sector": "gemeente", "consent_privacy": True,
                 "confirmed": True} for i, email in enumerate(emails)]
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=2)
    try:
        outcomes = fire(server.base_url, slug, secret, payloads, concurrency=CLIENTS, timeout=60, together=True)
    finally:
        server.stop()
    db.session.rollback()  # a fresh snapshot
    statuses = sorted(o.status for o in outcomes)
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {201, 409}, statuses
    stored = set(db.session.scalars(sa.select(Registration.email_key).where(
        Registration.congress_id == congress_id, Registration.status == "confirmed")))
    registered_members = len(stored & members)
    registered_others = len(stored - members)
    assert len(stored) == CAPACITY == statuses.count(201)  # never overbooked, and every place is taken
    # Everyone else never took a place held for the list: at most the places left after the unused holds.
    assert registered_others <= CAPACITY - max(RESERVED - registered_members, 0)
    assert registered_members >= RESERVED  # 15 members asked; the 10 held places were theirs
