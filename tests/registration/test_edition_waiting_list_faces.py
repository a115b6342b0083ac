"""The edition's waiting list as people and partners meet it: the API's 201 ``waitlisted``, the form that
says so, the thanks page, the back office's settings and detail pages."""

from __future__ import annotations

import jsonschema
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import form_data, open_congress, registered


def full_edition(capacity: int = 1, *, waiting_list: bool = True):
    congress = open_congress("vol-api", capacity=capacity)
    if waiting_list:
        services.set_waiting_list(congress, True)
    for i in range(capacity):
        registered(congress, n=i)
    return congress


def api_post(client, congress, email: str, **extra):
    secret = create_api_token(f"partner-{email}", "registrations").secret
    db.session.commit()
    body = {"name": "Partner Deelnemer", "email": email, "sector": "gemeente", "consent_privacy": True,
            "confirmed": True, **extra}
    return client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body,
                       headers={"Authorization": f"Bearer {secret}"})


def test_the_api_answers_201_waitlisted_with_the_place(client):
    congress = full_edition()
    first = api_post(client, congress, "wacht1@example.org")
    second = api_post(client, congress, "wacht2@example.org", sessions=[])
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["status"] == "waitlisted" and first.get_json()["waiting_position"] == 1
    assert second.get_json()["waiting_position"] == 2 and second.get_json()["enrolments"] == []
    again = api_post(client, congress, "wacht2@example.org")
    assert again.status_code == 200 and again.get_json()["duplicate"] and again.get_json()["waiting_position"] == 2


def test_without_a_waiting_list_the_api_still_answers_409_full(client):
    congress = full_edition(waiting_list=False)
    response = api_post(client, congress, "vol@example.org")
    assert response.status_code == 409 and response.get_json()["error"]["reason"] == "full"


def test_the_openapi_document_describes_the_waitlisted_answer(client):
    document = client.get("/api/v1/openapi.json").get_json()
    created = document["paths"]["/congresses/{slug}/registrations"]["post"]["responses"]["201"]
    assert "waitlisted" in created["description"]
    example = created["content"]["application/json"]["examples"]["waitlisted"]["value"]
    schemas = document["components"]["schemas"]
    jsonschema.validate(example, schemas["Registration"])
    assert "waiting_position" in document["components"]["schemas"]["Registration"]["properties"]


def test_the_form_of_a_full_edition_offers_the_waiting_list_and_says_so(client, mailbox):
    congress = full_edition()
    page = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert "Deze editie is vol." in page and "Op de wachtlijst zetten" in page
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 7))
    assert response.status_code == 302 and "waitlisted=1" in response.headers["Location"]
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "U staat op de wachtlijst." in thanks
    stored = db.session.scalar(sa.select(Registration).where(Registration.email == "form7@example.org"))
    assert stored.status == "waitlisted"


def test_the_form_of_a_full_edition_without_a_list_stays_closed(client):
    congress = full_edition(waiting_list=False)
    assert "Op de wachtlijst zetten" not in client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert client.post(f"/{congress.slug}/register", data=form_data(congress, 8)).status_code == 409


def test_organisers_switch_the_waiting_list_on_the_settings_page(app, organiser):
    congress = open_congress("instellingen", capacity=1)
    registered(congress, n=1)
    waiting_page = app.test_client(user=organiser)
    url = f"/manage/registrations/{congress.slug}/settings"
    assert "Een wachtlijst aanbieden" in waiting_page.get(url).get_data(as_text=True)
    response = waiting_page.post(url, data={"window-capacity": "1", "window-waiting_list": "y",
                                            "window-submit": "Opslaan"})
    assert response.status_code == 302
    assert services.offers_waiting_list(congress.id)
    waiting = registered(congress, n=2).registration
    detail = waiting_page.get(f"/manage/registrations/{congress.slug}/{waiting.id}").get_data(as_text=True)
    assert "plaats 1" in detail
    # Raising the capacity on the same page gives the waiting person the place at once.
    waiting_page.post(url, data={"window-capacity": "2", "window-waiting_list": "y", "window-submit": "Opslaan"})
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "pending"
