"""Guard rail: an organiser cancels someone's registration only from a confirmation step that says what
cancelling does; any other post (an old button, a forged form) cancels nothing."""

from __future__ import annotations

from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import add_round, open_congress, registered


def test_cancelling_asks_first_and_says_what_it_does(app, organiser, mailbox):
    congress = open_congress("annuleren", capacity=1)
    services.set_waiting_list(congress, True)
    _, (small, _big) = add_round(congress)
    holder = registered(congress, [small.id], n=1, confirmed=True).registration
    waiting = registered(congress, n=2).registration
    client = app.test_client(user=organiser)
    url = f"/manage/registrations/{congress.slug}/{holder.id}/cancel"
    detail = client.get(f"/manage/registrations/{congress.slug}/{holder.id}").get_data(as_text=True)
    assert f'href="{url}"' in detail  # a link to the confirmation step, not a button that cancels
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "De aanmelding van Deelnemer 1 annuleren?" in html
    assert small.title in html  # the workshop seat that goes to the waiting list
    assert "1 persoon op de wachtlijst" in html
    # A post without the confirmation step's field shows the step again and cancels nothing.
    assert client.post(url).status_code == 200
    db.session.expire_all()
    assert db.session.get(Registration, holder.id).status == "confirmed"
    mailbox.clear()
    response = client.post(url, data={"step": "confirmed"})  # "notify" unticked: no mail to the person
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, holder.id).status == "cancelled"
    assert db.session.get(Registration, waiting.id).status == "pending"
    assert [m["To"] for m in mailbox] == [waiting.email]


def test_the_confirmation_step_is_for_organisers_of_that_edition_only(app, organiser, client):
    congress = open_congress("annuleren-2")
    holder = registered(congress, n=3).registration
    url = f"/manage/registrations/{congress.slug}/{holder.id}/cancel"
    assert client.get(url).status_code in (302, 401, 403)
    other = open_congress("annuleren-3")
    staff = app.test_client(user=organiser)
    assert staff.get(f"/manage/registrations/{other.slug}/{holder.id}/cancel").status_code == 404
    assert staff.get(f"/manage/registrations/{congress.slug}/99999999999999999999/cancel").status_code == 404
