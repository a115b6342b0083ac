"""Exports: CSV and the c3voc submission JSON, validated against the c3voc schemas (tests/schemas/c3voc)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import jsonschema
import pytest
from referencing import Registry, Resource

from congress.cfp import services
from congress.extensions import db
from congress.tokens import hash_secret
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.conftest import SCHEMAS


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def _validators() -> list[jsonschema.Validator]:
    """Validators for submission.schema.json and for submission.json, with every $ref resolved locally.

    In submission.schema.json the definition carries ``$id: …/submission``, which moves the base of
    its ``#/definitions/Person`` to that URI: the registry maps it back to the document itself.
    submission.json refers to ``…/person``: the registry maps that to person.json; its
    ``#/definitions/Answers`` and ``EventClassifiers`` are not in the file upstream, so they are
    taken from submission.schema.json.
    """
    person = _load("person.json")
    full = _load("submission.schema.json")
    found = []
    for name in ("submission.schema.json", "submission.json"):
        schema = _load(name)
        if name == "submission.json":
            schema.setdefault("definitions", {}).update(
                {k: full["definitions"][k] for k in ("Answers", "EventClassifiers")})
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        registry = Registry().with_resources([
            (person["$id"], Resource.from_contents(person)),
            *([("https://c3voc.de/schedule/submission", Resource.from_contents(schema))]
              if "$id" not in schema else []),
        ])
        found.append(cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER))
    return found


@pytest.fixture
def proposals(app, congress, organiser):
    open_call(congress)
    speaker = make_speaker(email="sanne@example.org")
    lecture = services.formats(congress)[1]
    first = make_proposal(congress, speaker)
    second = make_proposal(congress, speaker, title="=HYPERLINK(\"evil\")", language="en", format_id=lecture.id,
                           duration=30, description="")
    with app.test_request_context():
        services.decide([first], "accept")
        services.send_decision_mails(congress)
    first.confirm_token_hash = hash_secret("s")
    db.session.commit()
    services.confirm_proposal("s")
    session = first.session
    session.room = congress.rooms[0]
    session.starts_at = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
    session.ends_at = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
    db.session.commit()
    return first, second


def test_json_export_validates_against_the_c3voc_submission_schema(app, congress, organiser, proposals):
    validators = _validators()
    response = app.test_client(user=organiser).get(f"/manage/cfp/{congress.slug}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    items = response.get_json()
    assert len(items) == 2
    for item in items:
        for validator in validators:
            errors = list(validator.iter_errors(item))
            assert errors == [], [e.message for e in errors]
    confirmed = next(i for i in items if i["guid"] == proposals[0].guid)
    assert confirmed["type"] == "workshop" and confirmed["duration"] == 90
    assert confirmed["speakers"][0]["name"] == "Sanne Spreker"
    assert confirmed["slot"]["room"] == "Zaal 1"
    assert confirmed["event_classifiers"]["language"] == "nl" and confirmed["language"] == ""
    lecture = next(i for i in items if i["guid"] == proposals[1].guid)
    assert lecture["type"] == "talk" and lecture["language"] == "en"


def test_the_schema_check_catches_a_bad_item():
    bad = {"guid": "not-a-uuid", "title": "x", "abstract": "y", "language": "nl", "speakers": [{"naam": "z"}]}
    for validator in _validators():
        assert len(list(validator.iter_errors(bad))) >= 2


def test_csv_export_has_every_proposal_and_no_formulas(app, congress, organiser, proposals):
    response = app.test_client(user=organiser).get(f"/manage/cfp/{congress.slug}/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM and ";": Excel with Dutch settings
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert {r["guid"] for r in rows} == {p.guid for p in proposals}
    assert any(r["title"].startswith("'=HYPERLINK") for r in rows)
    assert rows[0]["speakers"] == "Sanne Spreker" and rows[0]["emails"] == "sanne@example.org"
