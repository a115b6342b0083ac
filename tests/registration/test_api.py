"""JSON API: public seats and partner registrations."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.database import utcnow
from congress.extensions import db
from congress.registration.models import Registration
from tests.registration.factories import add_round, open_congress, registered
from tests.urls_support import BASE


def token(scope: str = "registrations") -> dict:
    secret = create_api_token(f"partner-{scope}", scope).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def body(**overrides) -> dict:
    values = {"name": "Partner Deelnemer", "email": "partner@example.org", "organisation": "Stichting X",
              "sector": "gemeente", "consent_privacy": True, "sessions": [], "answers": {}, "confirmed": True}
    values.update(overrides)
    return values


def test_sessions_are_public_with_seats_left(client):
    congress = open_congress()
    signup_round, (small, big) = add_round(congress)
    registered(congress, [small.id], n=1)
    response = client.get(f"/api/v1/congresses/{congress.slug}/sessions")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.get_json()}
    assert set(rows[small.id]) >= {"id", "title", "track", "room", "start", "end", "capacity", "seats_left", "round"}
    assert rows[small.id]["capacity"] == 2 and rows[small.id]["seats_left"] == 1
    assert rows[big.id]["seats_left"] == 30
    assert rows[small.id]["round"]["id"] == signup_round.id
    assert client.get("/api/v1/congresses/nope/sessions").status_code == 404


def test_partner_registers_with_sessions(client, mailbox):
    congress = open_congress()
    _, (small, _big) = add_round(congress, capacities=(1, 5))
    registered(congress, [small.id], n=1)
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(sessions=[small.id]),
                           headers=token())
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "confirmed"
    assert data["enrolments"] == [{"session": small.id, "status": "waitlisted", "position": 1}]
    assert "/my/" in data["manage_url"]
    assert client.get(data["manage_url"].split(BASE, 1)[1]).status_code == 200


def test_a_second_registration_of_the_same_email_creates_nothing(client):
    congress = open_congress()
    headers = token()
    first = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(), headers=headers)
    again = client.post(f"/api/v1/congresses/{congress.slug}/registrations",
                        json=body(email="PARTNER@example.org"), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["duplicate"] is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_bad_input_gives_422_per_field(client):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", headers=token(), json=body(
        email="nope", name="", consent_privacy=False, sector="bakkerij", sessions=["x"]))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"name", "consent_privacy", "sector", "sessions"} <= set(fields)
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", headers=token(),
                           json=body(email="nope", sessions=[small.id, big.id]))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"email", "sessions"}
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", headers=token(), data="[",
                           content_type="application/json")
    assert response.status_code == 422


def test_closed_or_full_edition_is_409(client):
    congress = open_congress(capacity=1)
    headers = token()
    assert client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(),
                       headers=headers).status_code == 201
    full = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(email="b@example.org"),
                       headers=headers)
    assert full.status_code == 409 and full.get_json()["error"]["reason"] == "full"
    congress.capacity = None
    congress.registration_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    closed = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(email="c@example.org"),
                         headers=headers)
    assert closed.status_code == 409 and closed.get_json()["error"]["reason"] == "closed"


def test_token_is_required_and_scoped(client):
    congress = open_congress()
    url = f"/api/v1/congresses/{congress.slug}/registrations"
    assert client.post(url, json=body()).status_code == 401
    assert client.post(url, json=body(), headers=token("checkin")).status_code == 403


def test_api_rate_limit(app, client):
    congress = open_congress()
    headers = token()
    app.config["REGISTRATION_API_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.post(f"/api/v1/congresses/{congress.slug}/registrations",
                             json=body(email=f"r{i}@example.org"), headers=headers,
                             environ_base={"REMOTE_ADDR": "10.8.8.8"}).status_code for i in range(3)]
    finally:
        app.config.pop("REGISTRATION_API_RATE_LIMIT")
    assert codes == [201, 201, 429]


def test_openapi_document_describes_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/congresses/{slug}/sessions" in document["paths"]
    post = document["paths"]["/congresses/{slug}/registrations"]["post"]
    assert {"201", "409", "422"} <= set(post["responses"])
    schemas = document["components"]["schemas"]
    congress = open_congress()
    add_round(congress)
    rows = client.get(f"/api/v1/congresses/{congress.slug}/sessions").get_json()
    for row in rows:
        jsonschema.validate(row, schemas["SessionSeats"])
    created = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body(), headers=token())
    jsonschema.validate(created.get_json(), schemas["Registration"])
