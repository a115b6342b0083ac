"""GET /api/v1/knowledge and its OpenAPI description."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from tests.archive.factories import make_item


def test_knowledge_api(client, app):
    make_item("Gastlessen mediawijsheid", summary="Weerbaarheid van leerlingen", item_type="interventie",
              publication_date="2024-05-23", factors=["digitale weerbaarheid"], evidence_status="goed_beschreven")
    make_item("Social Labs", summary="Weerbare jongeren", item_type="evaluatie", publication_date="2025-02-01")
    make_item("Concept", summary="weerbaar", status="draft")
    data = client.get("/api/v1/knowledge?q=weerbaarheid").get_json()
    assert data["total"] == 2 and data["page"] == 1 and data["pages"] == 1
    first = next(i for i in data["items"] if i["title"] == "Gastlessen mediawijsheid")
    assert first["evidence_status"] == "goed_beschreven" and first["protective_factors"] == ["digitale weerbaarheid"]
    assert first["url"].endswith(f"/kennisbank/item/{first['key']}") and "<mark>" in first["snippet"]
    assert {f["value"]: f["count"] for f in data["facets"]["type"]} == {"interventie": 1, "evaluatie": 1}
    only = client.get("/api/v1/knowledge?q=weerbaarheid&type=evaluatie&year=2025").get_json()
    assert [i["title"] for i in only["items"]] == ["Social Labs"]
    paged = client.get("/api/v1/knowledge?per_page=1&page=2&sort=date").get_json()
    assert paged["pages"] == 2 and [i["title"] for i in paged["items"]] == ["Gastlessen mediawijsheid"]
    item = client.get(f"/api/v1/knowledge/{first['key']}").get_json()
    assert item["title"] == "Gastlessen mediawijsheid"
    assert client.get("/api/v1/knowledge/onbekend").status_code == 404


def test_openapi_describes_the_knowledge_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/knowledge"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "type", "track", "year", "page"}
    schema = document["components"]["schemas"]["KnowledgeSearch"]
    Draft202012Validator.check_schema(schema)
