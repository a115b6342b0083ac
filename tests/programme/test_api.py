"""The public, read-only programme API and its OpenAPI entries."""

import jsonschema

from congress.extensions import db
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker, publish


def test_programme_tracks_rooms_and_speakers(client, app):
    congress = make_congress("api-test")
    speaker = make_speaker("Anna API", "anna@example.org")
    session = make_session(congress, title="API-sessie", speakers=[speaker])
    session.capacity = 12
    db.session.commit()
    publish(congress)
    data = client.get(f"/api/v1/congresses/{congress.slug}/programme").get_json()
    assert data["congress"] == congress.slug and data["version"] == 1
    [item] = data["sessions"]
    assert item["title"] == "API-sessie" and item["capacity"] == 12 and item["speaker_ids"] == [speaker.id]
    assert item["start"] == session.starts_at.isoformat()
    tracks = client.get(f"/api/v1/congresses/{congress.slug}/tracks").get_json()
    assert [t["name"]["nl"] for t in tracks] == ["Spoor 1", "Spoor 2"]
    rooms = client.get(f"/api/v1/congresses/{congress.slug}/rooms").get_json()
    assert [r["capacity"] for r in rooms] == [30, 40]
    speakers = client.get(f"/api/v1/congresses/{congress.slug}/speakers").get_json()
    assert [s["name"] for s in speakers] == ["Anna API"]
    assert "email" not in speakers[0]


def test_unknown_and_draft_editions_are_404_in_json(client, app):
    draft = make_congress("api-concept", status="draft")
    for slug in (draft.slug, "bestaat-niet"):
        response = client.get(f"/api/v1/congresses/{slug}/programme")
        assert response.status_code == 404


def test_openapi_lists_the_programme_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("programme", "tracks", "rooms", "speakers"):
        assert f"/congresses/{{slug}}/{path}" in document["paths"]
    for schema in ("Programme", "ProgrammeSession", "Track", "Room", "Speaker"):
        assert schema in document["components"]["schemas"]


def test_api_responses_match_their_openapi_schemas(client, app):
    congress = make_congress("api-schema")
    make_session(congress, speakers=[make_speaker("S", "s@example.org")])
    publish(congress)
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("programme", "tracks", "rooms", "speakers"):
        schema = document["paths"][f"/congresses/{{slug}}/{path}"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        resolver_doc = {"components": document["components"], **schema}
        jsonschema.validate(client.get(f"/api/v1/congresses/{congress.slug}/{path}").get_json(), resolver_doc)
