from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.checkin import services
from congress.checkin.models import Station
from congress.database import utcnow
from congress.extensions import db
from tests.checkin.factories import checkin_edition


@pytest.fixture
def edition(app):
    return checkin_edition("api-congres")


@pytest.fixture
def scanner(app):
    return {"Authorization": "Bearer " + create_api_token("scanner", "checkin").secret}


def test_post_checkin_with_api_token(client, edition, scanner):
    congress, _, _, codes = edition
    response = client.post("/api/v1/checkins", json={"code": codes[0], "station": "Handscanner 1"}, headers=scanner)
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "ok" and body["attendee"]["name"] == "Bezoeker 0"
    again = client.post("/api/v1/checkins", json={"code": codes[0]}, headers=scanner).get_json()
    assert again["result"] == "already_checked_in" and again["first_station"] == "Handscanner 1"


def test_post_checkin_with_station_token(client, edition):
    congress, sessions, _, codes = edition
    _, secret = services.create_station(congress, "Zaal Utrecht", session_id=sessions[0].id)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/stations/me", headers=headers).get_json()["list"] == f"session:{sessions[0].id}"
    assert client.post("/api/v1/checkins", json={"code": codes[0]}, headers=headers).get_json()["result"] == "ok"
    assert client.post("/api/v1/checkins", json={"code": "garbage"}, headers=headers).get_json()["result"] == "invalid"
    db.session.rollback()
    station = db.session.scalar(sa.select(Station).where(Station.name == "Zaal Utrecht"))
    assert station.last_seen_at is not None and utcnow() - station.last_seen_at < timedelta(minutes=1)


@pytest.mark.parametrize("body", [{"code": "x" * 10_000}, {"code": ""}, {"code": 5}, {"code": None},
                                  {"code": "\u0000\u00ff"}])
def test_bad_codes_are_results_not_errors(client, edition, scanner, body):
    response = client.post("/api/v1/checkins", json=body, headers=scanner)
    assert response.status_code == 200 and response.get_json()["result"] == "invalid"


@pytest.mark.parametrize("body", [None, [], "text", {"station": "x"}, {"code": "C1", "scanned_at": "gisteren"},
                                  {"code": "C1", "nonce": "x" * 100}])
def test_malformed_requests_are_422(client, edition, scanner, body):
    response = client.post("/api/v1/checkins", json=body, headers=scanner) if body is not None else \
        client.post("/api/v1/checkins", data=b"\x00\x01", headers=scanner)
    assert response.status_code == 422


def test_unknown_list_is_422(client, edition, scanner):
    _, _, _, codes = edition
    assert client.post("/api/v1/checkins", json={"code": codes[0], "list": 99999}, headers=scanner).status_code == 422


def test_tokens(client, edition):
    congress, _, _, codes = edition
    assert client.post("/api/v1/checkins", json={"code": codes[0]}).status_code == 401
    wrong = create_api_token("partner", "registrations").secret
    assert client.post("/api/v1/checkins", json={"code": codes[0]},
                       headers={"Authorization": f"Bearer {wrong}"}).status_code == 403
    station, secret = services.create_station(congress, "Oud")
    services.revoke_station(station)
    response = client.post("/api/v1/checkins", json={"code": codes[0]}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and response.get_json()["error"]["title"] == "station_revoked"


def test_station_token_of_another_edition(client, edition):
    congress, _, _, codes = edition
    other, _, _, other_codes = checkin_edition("ander", people=1)
    _, secret = services.create_station(other, "Elders")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/v1/checkins", json={"code": codes[0]}, headers=headers).get_json()["result"] == \
        "wrong_congress"
    assert client.get(f"/api/v1/congresses/{congress.slug}/checkin-bundle", headers=headers).status_code == 403
    assert client.get(f"/api/v1/congresses/{other.slug}/checkin-bundle", headers=headers).status_code == 200


def test_sync_since(client, edition, scanner):
    congress, _, _, codes = edition
    before = (utcnow() - timedelta(seconds=1)).isoformat()
    client.post("/api/v1/checkins", json={"code": codes[0], "nonce": "n1"}, headers=scanner)
    listing = client.get("/api/v1/checkins", query_string={"congress": congress.slug, "since": before},
                         headers=scanner).get_json()
    assert len(listing["checkins"]) == 1
    later = client.get("/api/v1/checkins", query_string={"congress": congress.slug,
                                                         "since": listing["checkins"][0]["received_at"]},
                       headers=scanner).get_json()
    assert later["checkins"] == []
    assert client.get("/api/v1/checkins", query_string={"congress": congress.slug, "since": "nope"},
                      headers=scanner).status_code == 422


def test_openapi_documents_the_checkin_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/checkins" in paths and "/congresses/{slug}/checkin-bundle" in paths


def test_check_out_by_scan_with_direction_out(client, edition):
    """``"direction": "out"`` checks out of the station's list; every other field works as before."""
    congress, sessions, _, codes = edition
    _, secret = services.create_station(congress, "Zaal Utrecht", session_id=sessions[0].id)
    headers = {"Authorization": f"Bearer {secret}"}
    early = client.post("/api/v1/checkins", json={"code": codes[0], "direction": "out"}, headers=headers).get_json()
    assert early["result"] == "not_checked_in"
    assert client.post("/api/v1/checkins", json={"code": codes[0], "nonce": "in-1"}, headers=headers
                       ).get_json()["result"] == "ok"
    out = client.post("/api/v1/checkins", json={"code": codes[0], "direction": "out", "nonce": "out-1"},
                      headers=headers).get_json()
    assert out["result"] == "checked_out" and out["checked_out_at"] and out["list"] == f"session:{sessions[0].id}"
    again = client.post("/api/v1/checkins", json={"code": codes[0], "direction": "out", "nonce": "out-1"},
                        headers=headers).get_json()
    assert again == out  # a retried upload: the same answer
    from congress.checkin.models import CheckIn  # noqa: PLC0415
    db.session.rollback()
    row = db.session.scalar(sa.select(CheckIn).where(CheckIn.session_id == sessions[0].id))
    assert row.checked_out_at is not None and row.undone_at is None
    for bad in ("sideways", "", 1, None, ["out"]):
        response = client.post("/api/v1/checkins", json={"code": codes[0], "direction": bad}, headers=headers)
        assert response.status_code == 422 and "direction" in response.get_json()["error"]["fields"]
