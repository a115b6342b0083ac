"""A mailing to the edition's invitees who have not responded: exactly those, once each, with their
personal registration link as ``{{ manage_url }}`` (real SMTP through the ``mailbox`` fixture)."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from congress.communications import mailings
from congress.communications.mailings import Audience, Draft
from congress.extensions import db
from congress.invitations import services
from congress.invitations.importing import import_contacts
from congress.invitations.links import secret_of
from congress.invitations.models import Invitee
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import open_congress, registered


def test_a_mailing_to_invitees_reaches_only_those_who_did_not_respond_once_each(app, mailbox):
    congress = open_congress("mailing-genodigden", capacity=50)
    db.session.commit()
    rows = contacts(4)
    rows.append([*rows[3][:4], "Tweede lijst"])  # the same address on a second list: one message
    import_contacts(congress, "lijst.csv", csv_bytes(rows), "Focusgemeenten")
    invitees = {i.email: i for i in db.session.scalars(sa.select(Invitee).order_by(Invitee.id))}
    services.decline(secret_of(invitees["wethouder1@gemeente1.nl"]), congress.id)
    registered(congress, email="wethouder2@gemeente2.nl", confirmed=True)  # registered: no longer invited
    db.session.expire_all()
    mailbox.clear()

    assert [r.email for r in mailings.audience_recipients(congress, Audience(kind="invitees"))] == [
        "wethouder0@gemeente0.nl", "wethouder3@gemeente3.nl"]
    mailing = mailings.create_mailing(congress, Draft(
        Audience(kind="invitees"), "Nog even over {{ edition }}", "Beste {{ name }}, meld u aan: {{ manage_url }}"))
    mailings.start_sending(mailing.id)
    received = [m for m in mailbox if m["List-Unsubscribe"]]
    assert Counter(m["To"] for m in received) == Counter({"wethouder0@gemeente0.nl": 1, "wethouder3@gemeente3.nl": 1})
    text = next(m for m in received if m["To"] == "wethouder0@gemeente0.nl").get_body(("plain",)).get_content()
    assert "Beste Wethouder 0" in text
    assert f"/mailing-genodigden/register?invite={secret_of(invitees['wethouder0@gemeente0.nl'])}" in text

    assert mailings.counts(mailing.id).sent == 2


def test_the_compose_page_offers_the_invitees(app, organiser):
    congress = open_congress("mailing-genodigden-pagina")
    db.session.commit()
    page = app.test_client(user=organiser).get(f"/manage/{congress.slug}/mailings/new")
    assert page.status_code == 200
    assert 'value="invitees"' in page.get_data(as_text=True)
    assert "Genodigden die zich niet hebben aangemeld of afgemeld" in page.get_data(as_text=True)
