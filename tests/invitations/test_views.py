"""The organisers' pages under /manage/<slug>/invitations: import with a report, confirm, send."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from congress.communications.services import opt_out
from congress.extensions import db
from congress.invitations.importing import import_contacts
from congress.invitations.models import InvitationList, Invitee
from congress.invitations.services import send_invitations
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import open_congress

BASE = "/manage/pagina-uitnodigingen/invitations"


@pytest.fixture
def organiser_client(app, organiser):
    open_congress("pagina-uitnodigingen")
    return app.test_client(user=organiser)


def upload(client, data: bytes, name: str = "genodigden.csv", list_name: str = "Focusgemeenten"):
    return client.post(f"{BASE}/import?lang=en", data={"file": (io.BytesIO(data), name), "list_name": list_name},
                       content_type="multipart/form-data")


def test_an_upload_with_two_bad_rows_is_reported_and_imported_only_once_confirmed(organiser_client, mailbox):
    page = upload(organiser_client, csv_bytes(contacts(50, bad=2)))
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "2 bad rows reported" in text and "Import the 48 valid rows" in text
    assert "the name is missing" in text and "not a valid e-mail address" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitee)) == 0
    content = text.split('name="content" type="hidden" value="')[1].split('"')[0]
    confirmed = organiser_client.post(f"{BASE}/import/confirm?lang=en", data={
        "content": content, "filename": "genodigden.csv", "list_name": "Focusgemeenten"})
    assert confirmed.status_code == 200 and "48 invitees imported." in confirmed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitee)) == 48

    the_list = db.session.scalar(sa.select(InvitationList))
    detail = organiser_client.get(f"{BASE}/{the_list.id}?lang=en").get_data(as_text=True)
    assert "Send the invitation to 48 invitees" in detail
    mailbox.clear()
    sent = organiser_client.post(f"{BASE}/{the_list.id}/send?lang=en", follow_redirects=True)
    assert "48 queued" in sent.get_data(as_text=True)
    assert len(mailbox) == 48
    organiser_client.post(f"{BASE}/{the_list.id}/send?lang=en")
    assert len(mailbox) == 48


def test_a_file_that_is_not_a_spreadsheet_is_refused_next_to_the_field(organiser_client):
    page = upload(organiser_client, b"\x00\x01\x02 binary", name="foto.png")
    assert page.status_code == 422
    assert "cannot be read" in page.get_data(as_text=True)


def test_a_list_without_a_date_for_its_places_is_refused_next_to_the_field(organiser_client):
    page = organiser_client.post(f"{BASE}/lists?lang=en", data={"name": "Partners", "reserved_places": "10"})
    assert page.status_code == 422
    assert "Reserved places need a date" in page.get_data(as_text=True)
    made = organiser_client.post(f"{BASE}/lists?lang=en", data={"name": "Partners", "reserved_places": "10",
                                                                  "reserved_until": "2099-01-31"})
    assert made.status_code == 302
    assert db.session.scalar(sa.select(InvitationList.reserved_places)) == 10


def test_the_pages_are_for_organisers_only(app, client):
    open_congress("pagina-uitnodigingen")
    assert client.get(f"{BASE}").status_code in (302, 401, 403)


def test_the_progress_bar_counts_the_lists_invitations_by_the_outbox(app, organiser_client, mailbox):
    congress = open_congress("uitnodiging-voortgang")
    db.session.commit()
    import_contacts(congress, "lijst.csv", csv_bytes(contacts(3)), "Focusgemeenten")
    invitation_list = db.session.scalar(sa.select(InvitationList).where(InvitationList.congress_id == congress.id))
    url = f"/manage/{congress.slug}/invitations/{invitation_list.id}/progress.json"
    assert organiser_client.get(url).get_json()["total"] == 0  # nothing sent yet
    opt_out("wethouder2@gemeente2.nl")
    send_invitations(congress, invitation_list.id)
    body = organiser_client.get(url).get_json()
    assert (body["total"], body["done"], body["sent"], body["skipped"], body["percent"]) == (3, 3, 2, 1, 100)
    assert body["finished"] is True
    page = organiser_client.get(f"/manage/{congress.slug}/invitations/{invitation_list.id}").get_data(as_text=True)
    assert 'data-progress-url="' + url in page and 'value="100"' in page
    assert app.test_client().get(url).status_code in (302, 401)  # staff only
