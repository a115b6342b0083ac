"""The demo's participants' network: consenting attendees of the upcoming edition, relayed messages on
the recipients' personal pages, a shared address pair and a report the organiser sees."""

from __future__ import annotations

import sqlalchemy as sa

from congress.core import queries as core
from congress.demo import load_demo
from congress.extensions import db
from congress.network import queries
from congress.network.models import NetworkMessage
from congress.registration.models import Registration
from tests.factories import make_user
from tests.network.factories import link


def test_the_demo_has_a_network_with_messages_and_loads_once(app):
    load_demo()
    upcoming = core.congress_by_slug("congres-2025")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage))
    load_demo()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == before >= 5
    assert len(queries.listed_ids(upcoming.id)) >= 20
    message = db.session.scalar(sa.select(NetworkMessage).order_by(NetworkMessage.id))
    recipient = db.session.get(Registration, message.recipient_id)
    client = app.test_client()
    page = client.get(f"/my/{link(recipient)}").get_data(as_text=True)
    assert "Berichten die u ontving" in page and "digitale weerbaarheid" in page
    assert queries.addresses_shared(message.sender, recipient)
    people = client.get(f"/my/{link(recipient)}/participants").get_data(as_text=True)
    assert "deelnemers" in people and message.sender.name in people
    organiser = app.test_client(user=make_user("organiser", email="demo-netwerk@example.org"))
    back = organiser.get(f"/manage/{upcoming.slug}/network").get_data(as_text=True)
    assert "Reclame voor een betaalde training." in back
