"""The network's consent everywhere a registration is made or read (form, API, personal data download),
and a relayed message reaching a real SMTP server exactly once."""

from __future__ import annotations

import json

import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.extensions import db
from congress.mail import delivery
from congress.mail.models import MailStatus, OutboxMessage
from congress.network import services
from congress.registration.models import Registration
from tests.network.factories import link, network_edition
from tests.registration.factories import form_data, open_congress


def test_the_message_reaches_the_smtp_server_exactly_once(app, mailbox):
    _, _, (anna, bram, *_rest) = network_edition("netwerk-smtp", people=2)
    mailbox.clear()  # the registrations' own mails
    services.send_message(anna, bram.id, "Tot straks bij de koffie!")
    assert len(mailbox) == 1  # handed to the worker after the commit, delivered by it
    row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "network/message"))
    assert row.status == MailStatus.SENT.value
    delivery.send_due_mail()  # the periodic sweep finds nothing left to send
    delivery.send_due_mail()
    assert len(mailbox) == 1
    mail = mailbox[0]
    assert mail["To"] == bram.email and mail["Reply-To"] is None
    assert anna.email not in mail.as_string()
    assert "Tot straks bij de koffie!" in mail.get_body(("plain",)).get_content()
    assert "deelnemersnetwerk" in mail["Subject"]


def test_the_form_the_api_and_the_download_carry_the_consent(app, client):
    congress = open_congress("netwerk-toestemming")
    client.post(f"/{congress.slug}/register", data=form_data(congress, 1, email="ja@example.org",
                                                             consent_network="y"))
    client.post(f"/{congress.slug}/register", data=form_data(congress, 2, email="nee@example.org"))
    by_email = {r.email: r for r in db.session.scalars(sa.select(Registration))}
    assert by_email["ja@example.org"].consent_network is True
    assert by_email["nee@example.org"].consent_network is False

    secret = create_api_token("partner-netwerk", "registrations").secret
    db.session.commit()
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", headers={
        "Authorization": f"Bearer {secret}"}, json={
        "name": "Via API", "email": "api@example.org", "consent_privacy": True, "consent_network": True,
        "sector": "gemeente", "confirmed": True})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(sa.select(Registration.consent_network).where(
        Registration.email == "api@example.org")) is True
    refused = client.post(f"/api/v1/congresses/{congress.slug}/registrations", headers={
        "Authorization": f"Bearer {secret}"}, json={
        "name": "Via API", "email": "api2@example.org", "consent_privacy": True, "consent_network": "yes"})
    assert refused.status_code == 422

    download = client.get(f"/my/{link(by_email['ja@example.org'])}/data.json")
    data = json.loads(download.get_data(as_text=True))
    assert data["consents"]["participants_network"] is True
    assert data["participants_network"]["messages_received"] == []


def test_the_download_holds_the_messages(app, client):
    _, _, (anna, bram, *_rest) = network_edition("netwerk-download", people=2)
    services.send_message(anna, bram.id, "Hallo Bram")
    data = json.loads(client.get(f"/my/{link(bram)}/data.json").get_data(as_text=True))
    assert data["participants_network"]["messages_received"][0]["text"] == "Hallo Bram"
    assert data["participants_network"]["messages_received"][0]["from"] == anna.name
    mine = json.loads(client.get(f"/my/{link(anna)}/data.json").get_data(as_text=True))
    assert mine["participants_network"]["messages_sent"][0]["to"] == bram.name
