"""The OpenAPI document is made from the pydantic declarations that validate requests (issue 12 §2:
19 mismatches before, e.g. undeclared 401/403/404 on the check-in paths, an empty `name` allowed,
`nonce: null` accepted)."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from congress.checkin.api_schemas import CheckinRequest
from congress.registration.api_schemas import RegistrationRequest
from congress.schemas import component


def test_components_are_the_request_models(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["RegistrationRequest"] == component(RegistrationRequest)
    assert schemas["CheckinRequest"] == component(CheckinRequest)
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    assert schemas["RegistrationRequest"]["properties"]["name"]["minLength"] == 1
    assert schemas["CheckinRequest"]["properties"]["nonce"]["type"] == "string"  # null is refused
    validator = Draft202012Validator(schemas["CheckinRequest"])
    assert not validator.is_valid({"code": "C1", "nonce": None})


def test_every_operation_declares_what_it_answers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert {"registrations", "checkin", "station"} <= set(schemes)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
            if operation.get("security"):
                assert {"401", "403"} <= responses, (method, path)
            if "requestBody" in operation:
                assert "422" in responses, (method, path)
            if "{slug}" in path:
                assert "404" in responses, (method, path)
    checkins = document["paths"]["/checkins"]
    assert {"401", "403", "422"} <= set(checkins["post"]["responses"])
    assert {"401", "403", "404", "422"} <= set(checkins["get"]["responses"])
