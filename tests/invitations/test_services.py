"""Invitations sent once per invitee through the mail queue (real SMTP on 127.0.0.1), opt-outs
respected, reminders, the personal link filling in the form, and each invitee's status."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.communications import services as communications
from congress.database import utcnow
from congress.extensions import db
from congress.invitations import services
from congress.invitations.links import secret_of
from congress.invitations.models import InvitationMessage, Invitee
from congress.invitations.tasks import release_expired_reservations
from congress.registration import services as registration
from congress.registration.models import Registration
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import open_congress, registered

LINK = re.compile(r"https?://\S+/register\?invite=([A-Za-z0-9_-]+)")


@pytest.fixture
def edition(app, english):
    return open_congress("uitnodiging-test")


def imported(edition, n: int = 3, list_name: str = "Focusgemeenten") -> list[Invitee]:
    services.import_contacts(edition, "lijst.csv", csv_bytes(contacts(n)), list_name)
    return list(db.session.scalars(sa.select(Invitee).order_by(Invitee.id)))


def invitations(mailbox) -> list:
    return [m for m in mailbox if m["List-Unsubscribe"]]


def test_each_invitee_receives_the_invitation_once_with_a_personal_link(edition, mailbox):
    people = imported(edition)
    mailbox.clear()
    first = services.send_invitations(edition)
    again = services.send_invitations(edition)  # a second click, a second run
    assert (first.queued, again.queued) == (3, 0)
    received = invitations(mailbox)
    assert sorted(m["To"] for m in received) == sorted(p.email for p in people)
    body = next(m for m in received if m["To"] == people[0].email).get_body(("plain",)).get_content()
    assert LINK.search(body).group(1) == secret_of(people[0])
    assert f"/uitnodiging-test/invitation/{secret_of(people[0])}" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationMessage)) == 3


def test_an_address_that_unsubscribed_gets_no_invitation(edition, mailbox):
    people = imported(edition)
    communications.opt_out(people[1].email)
    mailbox.clear()
    report = services.send_invitations(edition)
    assert (report.queued, report.skipped) == (2, 1)
    assert people[1].email not in {m["To"] for m in invitations(mailbox)}


def test_reminders_reach_those_who_did_not_respond_once_per_round(edition, mailbox):
    people = imported(edition)
    services.send_invitations(edition)
    services.decline(secret_of(people[0]), edition.id)
    mailbox.clear()
    assert services.send_reminders(edition, None, "ronde-een-1234").queued == 2
    assert services.send_reminders(edition, None, "ronde-een-1234").queued == 0  # the same form twice
    assert services.send_reminders(edition, None, "ronde-twee-1234").queued == 2
    received = invitations(mailbox)
    assert len(received) == 4 and people[0].email not in {m["To"] for m in received}
    assert all(m["Subject"].startswith("Herinnering: uitnodiging voor") for m in received)  # in Dutch


def test_status_goes_from_invited_to_registered_when_the_registration_is_confirmed(edition):
    person = imported(edition)[0]
    result = registered(edition, name=person.name, email=person.email.upper())
    db.session.expire_all()
    assert db.session.get(Invitee, person.id).status == "invited"  # registered, not confirmed yet
    assert registration.confirm(result.registration)
    db.session.expire_all()
    assert db.session.get(Invitee, person.id).status == "registered"


def test_a_confirmed_registration_marks_the_invitee_registered(edition):
    person, other = imported(edition, 2)
    registered(edition, name=person.name, email=person.email.upper(), confirmed=True)
    db.session.expire_all()
    assert db.session.get(Invitee, person.id).status == "registered"
    assert db.session.get(Invitee, other.id).status == "invited"


def test_declining_through_the_link_and_twice_changes_nothing_more(edition, client):
    person = imported(edition, 1)[0]
    page = client.get(f"/uitnodiging-test/invitation/{secret_of(person)}?lang=en")
    assert page.status_code == 200 and b"I cannot come" in page.data
    assert client.post(f"/uitnodiging-test/invitation/{secret_of(person)}?lang=en").status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitee, person.id).status == "declined"
    assert services.decline(secret_of(person), edition.id).status == "declined"
    assert client.get("/uitnodiging-test/invitation/" + "x" * 43).status_code == 404


def test_a_registered_invitee_cannot_decline(edition):
    person = imported(edition, 1)[0]
    registered(edition, name=person.name, email=person.email, confirmed=True)
    with pytest.raises(services.InvitationConflict):
        services.decline(secret_of(person), edition.id)


def test_the_invitation_link_fills_in_the_registration_form(edition, client):
    rows = [["Fatima el Amrani", "f.elamrani@zwolle.nl", "Gemeente Zwolle", "gemeente", ""]]
    services.import_contacts(edition, "z.csv", csv_bytes(rows), "Focusgemeenten")
    person = db.session.scalar(sa.select(Invitee))
    page = client.get(f"/uitnodiging-test/register?invite={secret_of(person)}").get_data(as_text=True)
    assert 'value="Fatima el Amrani"' in page
    assert 'value="f.elamrani@zwolle.nl"' in page
    assert 'value="Gemeente Zwolle"' in page
    sector = next(s for s in registration.sectors(edition) if s.name_nl.lower() == "gemeente")
    assert re.search(rf'<option selected value="{sector.id}">|<option value="{sector.id}" selected>', page)
    stranger = client.get("/uitnodiging-test/register?invite=niet-geldig-maar-lang-genoeg-123").get_data(as_text=True)
    assert "Fatima" not in stranger


def test_reserved_places_are_held_for_the_list_until_the_date(edition):
    edition.capacity = 5
    db.session.commit()
    members = imported(edition, 3)
    services.update_list(members[0].list_id, "Focusgemeenten", 3, utcnow().date() + timedelta(days=7))
    assert services.reserved_places(edition.id, email_key=None, today=utcnow().date()) == (3, False)
    registered(edition, name="Buiten 1", email="b1@example.org", confirmed=True)
    registered(edition, name="Buiten 2", email="b2@example.org", confirmed=True)
    with pytest.raises(registration.RegistrationError) as full:
        registered(edition, name="Buiten 3", email="b3@example.org", confirmed=True)
    assert full.value.code == "full"
    for member in members:
        assert registered(edition, name=member.name, email=member.email, confirmed=True).created
    assert services.reserved_places(edition.id, email_key=None, today=utcnow().date()) == (0, False)
    after = utcnow().date() + timedelta(days=8)
    assert services.reserved_places(edition.id, email_key=members[0].email_key, today=after) == (0, False)


def test_after_the_date_the_places_are_free_for_everyone(edition):
    edition.capacity = 2
    db.session.commit()
    members = imported(edition, 2)
    services.update_list(members[0].list_id, "Focusgemeenten", 2, utcnow().date() - timedelta(days=1))
    assert registered(edition, name="Buiten", email="buiten@example.org", confirmed=True).created


def test_a_list_needs_a_name_and_a_date_for_its_reserved_places(edition):
    with pytest.raises(services.InvitationError) as caught:
        services.create_list(edition, "  ", 10, None)
    assert set(caught.value.errors) == {"name", "reserved_until"}


def test_when_the_hold_expires_the_job_gives_the_freed_places_to_the_waiting_list(edition):
    edition.capacity = 2
    db.session.commit()
    registration.set_waiting_list(edition, True)
    members = imported(edition, 1)
    today = utcnow().date()
    services.update_list(members[0].list_id, "Focusgemeenten", 1, today)
    assert registered(edition, name="Buiten 1", email="b1@example.org", confirmed=True).status == "confirmed"
    waiting = registered(edition, name="Buiten 2", email="b2@example.org", confirmed=True)
    assert waiting.status == "waitlisted"  # the second place is held for the list
    assert services.release_expired_holds(today) == 0  # still held today
    # The next day: the date has passed (set back a day, as the seat rule reads the clock itself).
    services.update_list(members[0].list_id, "Focusgemeenten", 1, today - timedelta(days=1))
    assert services.release_expired_holds(today) == 1
    assert services.release_expired_holds(today) == 0  # a second run promotes nobody more
    assert release_expired_reservations.call_local() == 0  # the worker's hourly job runs the same
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "confirmed"
