"""The schemathesis gate (issue 12 §2): generated requests, valid and invalid, against every operation of
/api/v1/openapi.json, in-process, with each kind of token. No answer may be a server error, and every
answer must be one the document declares (status code, content type and body schema).

Bounded: a few examples per operation and token (``SCHEMATHESIS_EXAMPLES`` raises it for a deeper run)."""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import own_contexts

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def _path_values(operation, world) -> dict:
    values = {}
    names = {p.name for p in operation.path_parameters}
    if "slug" in names:
        values["slug"] = world.slug
    if "key" in names:
        values["key"] = world.item_key
    return values


def _runner(strategy, label: str, headers: dict, seen: dict):
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    def run(case) -> None:
        with own_contexts():
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.setdefault(label, set()).add(response.status_code)

    return run


def _query_values(operation, world) -> dict:
    names = {p.name for p in operation.query}
    return {"congress": world.slug} if "congress" in names else {}


@pytest.mark.parametrize("scope", ["none", "registrations", "checkin", "station"])
def test_no_server_errors_and_every_answer_as_documented(app, world, monkeypatch, scope):
    monkeypatch.setitem(app.config, "REGISTRATION_API_RATE_LIMIT", "100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The WSGI transport does not decompress: ask for the plain body (the feeds gzip when asked).
    headers = {**world.tokens[scope], "Accept-Encoding": "identity"}
    seen: dict[str, set[int]] = {}
    for operation in _operations(schema):
        secured = bool(operation.definition.raw.get("security"))
        if scope != "none" and not secured:
            continue  # public operations are run once, without a token
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE,
                                  path_parameters=_path_values(operation, world) or None,
                                  query=_query_values(operation, world) or None),
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        _runner(strategy, operation.label, headers, seen)()
    assert seen, "no operation was exercised"
    # Each token reached what it may use: validation answered (not only 401/403).
    if scope == "registrations":
        assert 422 in seen["POST /congresses/{slug}/registrations"]
    if scope in ("checkin", "station"):
        assert 200 in seen["POST /checkins"] and 200 in seen["GET /checkins"]
    if scope == "none":
        assert seen["GET /congresses/{slug}/programme"] & {200, 304} and 401 in seen["POST /checkins"]
