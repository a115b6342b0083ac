"""The API for who forgot their badge: ``POST /api/v1/checkins {"registration": id}`` (exactly one of
code and registration) and ``GET /api/v1/checkins/people`` (the station's name search)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.checkin import services
from congress.checkin.models import CheckIn
from congress.extensions import db
from tests.checkin.factories import checkin_edition
from tests.registration.factories import registered


@pytest.fixture
def edition(app):
    congress, sessions, people, codes = checkin_edition("api-naam-congres")
    person = registered(congress, [sessions[0].id], name="Ayşe Öztürk", email="ayse@example.org",
                        organisation="Gemeente Zaanstad", confirmed=True).registration
    db.session.commit()
    return congress, sessions, [*people, person], codes


@pytest.fixture
def scanner(app):
    return {"Authorization": "Bearer " + create_api_token("scanner", "checkin").secret}


@pytest.fixture
def station(edition):
    congress, *_ = edition
    _, secret = services.create_station(congress, "Ingang Noord")
    return {"Authorization": f"Bearer {secret}"}


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn))


def test_station_checks_in_by_registration_once(client, edition, station):
    _, _, people, codes = edition
    body = {"registration": people[3].id, "nonce": "n-1"}
    first = client.post("/api/v1/checkins", json=body, headers=station)
    assert first.status_code == 200
    assert first.get_json()["result"] == "ok" and first.get_json()["attendee"]["name"] == "Ayşe Öztürk"
    assert client.post("/api/v1/checkins", json=body, headers=station).get_json() == first.get_json()
    other = client.post("/api/v1/checkins", json={"registration": people[3].id}, headers=station).get_json()
    assert other["result"] == "already_checked_in" and other["first_station"] == "Ingang Noord"
    assert _count() == 1


def test_api_token_needs_the_edition(client, edition, scanner):
    congress, _, people, _ = edition
    missing = client.post("/api/v1/checkins", json={"registration": people[0].id}, headers=scanner)
    assert missing.status_code == 422 and "congress" in missing.get_json()["error"]["fields"]
    unknown = client.post("/api/v1/checkins", json={"registration": people[0].id, "congress": "bestaat-niet"},
                          headers=scanner)
    assert unknown.status_code == 422 and "congress" in unknown.get_json()["error"]["fields"]
    ok = client.post("/api/v1/checkins", json={"registration": people[0].id, "congress": congress.slug,
                                               "station": "Handscanner"}, headers=scanner)
    assert ok.status_code == 200 and ok.get_json()["result"] == "ok"


@pytest.mark.parametrize("body", [{}, {"station": "x"}, {"code": "C1", "registration": 1},
                                  {"code": None, "registration": 1}, {"registration": None}])
def test_exactly_one_of_code_and_registration(client, edition, station, body):
    response = client.post("/api/v1/checkins", json=body, headers=station)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert "registration" in fields


def test_the_message_is_in_the_requests_language(client, edition, station):
    english = client.post("/api/v1/checkins", json={}, headers={**station, "Accept-Language": "en"})
    assert "exactly one of code" in english.get_json()["error"]["fields"]["code"][0]
    dutch = client.post("/api/v1/checkins", json={}, headers={**station, "Accept-Language": "nl"})
    assert "precies één" in dutch.get_json()["error"]["fields"]["code"][0]


@pytest.mark.parametrize("value", [0, -3, 2**31, 2**63, 10**400, 1.5, "12", True, [], {}, "\u0000", "\ud800"])
def test_hostile_registration_values_are_422(client, edition, station, value):
    response = client.post("/api/v1/checkins", json={"registration": value}, headers=station)
    assert response.status_code == 422 and "registration" in response.get_json()["error"]["fields"]
    assert _count() == 0


def test_a_registration_of_another_edition_is_invalid(client, edition, station):
    other, _, strangers, _ = checkin_edition("api-ander-congres", people=1)
    answer = client.post("/api/v1/checkins", json={"registration": strangers[0].id}, headers=station).get_json()
    assert answer["result"] == "invalid" and answer["attendee"] is None
    missing = client.post("/api/v1/checkins", json={"registration": 987_654}, headers=station).get_json()
    assert missing["result"] == "invalid"
    assert _count() == 0


def test_codes_still_work_as_before(client, edition, station):
    _, _, _, codes = edition
    assert client.post("/api/v1/checkins", json={"code": codes[0]}, headers=station).get_json()["result"] == "ok"
    assert client.post("/api/v1/checkins", json={"code": None}, headers=station).get_json()["result"] == "invalid"


def test_tokens_are_required(client, edition):
    congress, _, people, _ = edition
    assert client.post("/api/v1/checkins", json={"registration": people[0].id}).status_code == 401
    assert client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "oz"}).status_code \
        == 401
    partner = {"Authorization": "Bearer " + create_api_token("partner", "registrations").secret}
    assert client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "oz"},
                      headers=partner).status_code == 403
    revoked, secret = services.create_station(congress, "Oud")
    services.revoke_station(revoked)
    assert client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "oz"},
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert _count() == 0


# --- the name search ------------------------------------------------------------------------------

def test_people_search_folds_accents_and_is_private(client, edition, station):
    congress, _, people, _ = edition
    response = client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "OZTURK"},
                          headers=station)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert body["list"] == "venue" and body["more"] is False
    assert body["people"] == [{"registration": people[3].id, "name": "Ayşe Öztürk", "organisation": "Gemeente Zaanstad",
                               "status": "confirmed", "checked_in_at": None}]
    assert "ayse@example.org" not in response.get_data(as_text=True)
    client.post("/api/v1/checkins", json={"registration": people[3].id}, headers=station)
    again = client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "zaanstad"},
                       headers=station).get_json()
    assert again["people"][0]["checked_in_at"] is not None


def test_people_search_of_another_edition_is_refused_to_a_station(client, edition, station):
    other, *_ = checkin_edition("api-derde-congres", people=1)
    assert client.get("/api/v1/checkins/people", query_string={"congress": other.slug, "q": "bezoeker"},
                      headers=station).status_code == 403
    assert client.get("/api/v1/checkins/people", query_string={"congress": "bestaat-niet", "q": "bezoeker"},
                      headers=station).status_code == 404
    assert client.get("/api/v1/checkins/people", query_string={"q": "bezoeker"}, headers=station).status_code == 404


@pytest.mark.parametrize("query", [{"q": ""}, {"q": "a"}, {"q": "x" * 101}, {"q": "\u0000a"}, {},
                                   {"q": "bezoeker", "list": "zaal"}, {"q": "bezoeker", "list": "99999999999"},
                                   {"q": "bezoeker", "list": "0"}])
def test_people_search_refuses_bad_queries(client, edition, scanner, query):
    congress, *_ = edition
    response = client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, **query},
                          headers=scanner)
    assert response.status_code == 422


def test_people_search_with_an_api_token_and_a_list(client, edition, scanner):
    congress, sessions, people, _ = edition
    body = client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "bezoeker",
                                                               "list": str(sessions[0].id)}, headers=scanner).get_json()
    assert body["list"] == f"session:{sessions[0].id}" and len(body["people"]) == 3
    unknown = client.get("/api/v1/checkins/people", query_string={"congress": congress.slug, "q": "bezoeker",
                                                                  "list": "99999"}, headers=scanner)
    assert unknown.status_code == 422


def test_bundle_and_sync_are_private_and_the_bundle_has_status(client, edition, station):
    congress, *_ = edition
    bundle = client.get(f"/api/v1/congresses/{congress.slug}/checkin-bundle", headers=station)
    assert bundle.headers["Cache-Control"] == "private, no-store"
    assert {a["status"] for a in bundle.get_json()["attendees"]} == {"confirmed"}
    sync = client.get("/api/v1/checkins", query_string={"congress": congress.slug}, headers=station)
    assert sync.headers["Cache-Control"] == "private, no-store"


def test_openapi_documents_the_additions(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"401", "403", "404", "422"} <= set(document["paths"]["/checkins/people"]["get"]["responses"])
    request = document["components"]["schemas"]["CheckinRequest"]
    assert request["oneOf"] == [{"required": ["code"]}, {"required": ["registration"]}]
    assert "registration" in request["properties"] and "code" not in request.get("required", [])
    assert "no_place" in document["components"]["schemas"]["CheckinResponse"]["properties"]["result"]["enum"]


@pytest.mark.parametrize("lang, heading, field", [("nl", "Geen badge? Zoek op naam", "Naam of organisatie"),
                                                  ("en", "No badge? Find them by name", "Name or organisation")])
def test_the_station_page_has_the_name_search_in_both_languages(client, app, lang, heading, field):
    page = client.get(f"/station/?lang={lang}").get_data(as_text=True)
    assert heading in page and field in page and 'id="station-name"' in page and "data-search-results" in page
