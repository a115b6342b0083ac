"""Hostile input on the JSON API: every case answered 500 before the request schemas (issue 12 §2).

Each answer is a 422 that names the field, or (for a bad badge code) the documented ``invalid`` result;
nothing is stored from a refused request."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.checkin.models import ScanEvent
from congress.extensions import db
from congress.questions.models import Question
from congress.registration.models import Registration
from tests.checkin.factories import checkin_edition
from tests.registration.factories import add_round, open_congress


def _token(scope: str) -> dict:
    secret = create_api_token(f"hostile-{scope}", scope).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _body(**overrides) -> dict:
    values = {"name": "Partner Deelnemer", "email": "partner@example.org", "organisation": "Stichting X",
              "sector": "gemeente", "consent_privacy": True, "sessions": [], "answers": {}, "confirmed": True}
    values.update(overrides)
    return values


def _raw(client, url: str, text: str, headers: dict):
    return client.post(url, data=text.encode(), content_type="application/json", headers=headers)


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def edition(app):
    congress = open_congress("hostile")
    _, sessions = add_round(congress)
    for i, kind in enumerate(("short_text", "single_choice", "multiple_choice")):
        db.session.add(Question(congress_id=congress.id, target="registration", kind=kind, label_nl=f"Vraag {i}",
                                position=i,
                                options=[{"value": "a", "nl": "A", "en": "A"}, {"value": "b", "nl": "B", "en": "B"}]))
    db.session.commit()
    return congress, sessions


def _question_ids(congress) -> list[str]:
    return [str(q.id) for q in db.session.scalars(sa.select(Question).where(Question.congress_id == congress.id)
                                                  .order_by(Question.position))]


@pytest.mark.parametrize("answer", [{"x": 1}, ["a", {"b": 2}], [["a"]], {"value": "a"}])
def test_answers_with_objects_or_lists_are_422(client, edition, answer):
    congress, _ = edition
    url = f"/api/v1/congresses/{congress.slug}/registrations"
    for qid in _question_ids(congress):
        response = client.post(url, json=_body(answers={qid: answer}), headers=_token("registrations"))
        assert response.status_code == 422, (qid, answer, response.data[:300])
        assert response.get_json()["error"]["fields"]
    assert _count(Registration) == 0


@pytest.mark.parametrize("sessions", [[2**63], [2**31], [0], [-1], [1e23], "1", [True]])
def test_session_ids_out_of_range_are_422(client, edition, sessions):
    congress, _ = edition
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=_body(sessions=sessions),
                           headers=_token("registrations"))
    assert response.status_code == 422
    assert "sessions" in response.get_json()["error"]["fields"]
    assert _count(Registration) == 0


@pytest.mark.parametrize("field", ["name", "organisation", "dietary", "function", "accessibility", "email"])
@pytest.mark.parametrize("bad", ["\\ud800", "a\\udfffb", "a\\u0000b"])
def test_surrogates_and_nul_in_text_are_422_naming_the_field(client, edition, field, bad):
    congress, _ = edition
    text = '{"name": "N", "email": "x@example.org", "sector": "gemeente", "consent_privacy": true, ' \
           f'"confirmed": true, "{field}": "{bad}"}}'
    response = _raw(client, f"/api/v1/congresses/{congress.slug}/registrations", text, _token("registrations"))
    assert response.status_code == 422, response.data[:300]
    assert field in response.get_json()["error"]["fields"]
    assert _count(Registration) == 0


def test_empty_name_and_too_long_strings_are_422(client, edition):
    congress, _ = edition
    url = f"/api/v1/congresses/{congress.slug}/registrations"
    response = client.post(url, json=_body(name="   ", organisation="o" * 201, dietary="d" * 501),
                           headers=_token("registrations"))
    assert response.status_code == 422
    assert {"name", "organisation", "dietary"} <= set(response.get_json()["error"]["fields"])


@pytest.mark.parametrize("depth", [100_000, 1_000])
def test_deeply_nested_json_is_refused(client, edition, depth):
    congress, _ = edition
    text = '{"name": ' + "[" * depth + "]" * depth + "}"
    for url, headers in ((f"/api/v1/congresses/{congress.slug}/registrations", _token("registrations")),
                         ("/api/v1/checkins", _token("checkin"))):
        response = _raw(client, url, text, headers)
        assert response.status_code == 422, response.data[:200]
        assert response.get_json()["error"]["fields"]


def test_the_errors_speak_english_with_lang_en(client, edition):
    congress, _ = edition
    url = f"/api/v1/congresses/{congress.slug}/registrations"
    dutch = client.post(url, json=_body(name=""), headers=_token("registrations")).get_json()
    english = client.post(url + "?lang=en", json=_body(name=""), headers=_token("registrations")).get_json()
    assert dutch["error"]["fields"]["name"] != english["error"]["fields"]["name"]
    assert english["error"]["fields"]["name"] == ["This field is required."]


@pytest.fixture
def scanning(app):
    congress, sessions, _, codes = checkin_edition("hostile-scan")
    return congress, codes, _token("checkin")


@pytest.mark.parametrize("extra", [{"list": 1e23}, {"list": 2**63}, {"list": -1}, {"list": 0}, {"list": [1]},
                                   {"list": {"a": 1}}, {"nonce": None}, {"nonce": ""}, {"nonce": 5},
                                   {"station": {"x": 1}}, {"scanned_at": 5}, {"admit": "yes"},
                                   {"congress": 2**63}])
def test_bad_checkin_fields_are_422(client, scanning, extra):
    congress, codes, headers = scanning
    response = client.post("/api/v1/checkins", json={"code": codes[0], **extra}, headers=headers)
    assert response.status_code == 422, response.data[:300]
    assert set(extra) <= set(response.get_json()["error"]["fields"])
    assert _count(ScanEvent) == 0


@pytest.mark.parametrize("field", ["nonce", "station"])
@pytest.mark.parametrize("bad", ["\\ud800", "x\\udc00", "n\\u0000"])
def test_surrogates_in_nonce_or_station_are_422(client, scanning, field, bad):
    _, codes, headers = scanning
    response = _raw(client, "/api/v1/checkins", f'{{"code": "{codes[0]}", "{field}": "{bad}"}}', headers)
    assert response.status_code == 422, response.data[:300]
    assert field in response.get_json()["error"]["fields"]
    assert _count(ScanEvent) == 0


def test_a_surrogate_in_the_code_is_an_invalid_scan(client, scanning):
    _, _, headers = scanning
    response = _raw(client, "/api/v1/checkins", '{"code": "\\ud800abc"}', headers)
    assert response.status_code == 200 and response.get_json()["result"] == "invalid"


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59Z", "0001-01-01", "0001-01-01T00:00:00+14:00",
                                   "garbage", "2020-13-01T00:00:00Z", "\u0000", "9" * 50, "2020-01-01T25:00:00"])
def test_extreme_or_bad_since_is_422_or_an_answer(client, scanning, since):
    congress, _, headers = scanning
    response = client.get("/api/v1/checkins", query_string={"congress": congress.slug, "since": since},
                          headers=headers)
    assert response.status_code in (200, 422), response.data[:300]
    if response.status_code == 422:
        assert "since" in response.get_json()["error"]["fields"]


def test_since_without_offset_is_utc(client, scanning):
    congress, codes, headers = scanning
    assert client.post("/api/v1/checkins", json={"code": codes[0]}, headers=headers).status_code == 200
    naive = client.get("/api/v1/checkins", query_string={"congress": congress.slug, "since": "2020-01-01T00:00:00"},
                       headers=headers)
    assert naive.status_code == 200 and len(naive.get_json()["checkins"]) == 1
    future = client.get("/api/v1/checkins", query_string={"congress": congress.slug,
                                                          "since": "9999-12-31T23:59:59Z"}, headers=headers)
    assert future.status_code == 200 and future.get_json()["checkins"] == []
    ancient = client.get("/api/v1/checkins", query_string={"congress": congress.slug, "since": "0001-01-01"},
                         headers=headers)
    assert ancient.status_code == 200 and len(ancient.get_json()["checkins"]) == 1


@pytest.mark.parametrize("query", [{"page": 2**63}, {"page": "-1"}, {"per_page": "1e308"}, {"year": "2**63"},
                                   {"year": str(2**63)}, {"q": "\u0000"}, {"q": "x" * 100_000},
                                   {"sort": "' OR 1=1--"}, {"type": "<script>"}])
def test_knowledge_query_strings_never_500(client, app, query):
    response = client.get("/api/v1/knowledge", query_string=query)
    assert response.status_code in (200, 422), response.data[:300]


def test_schema_messages_are_dutch_by_default(client, scanning):
    _, codes, headers = scanning
    dutch = _raw(client, "/api/v1/checkins", f'{{"code": "{codes[0]}", "nonce": "\\ud800", "admit": 1}}', headers)
    english = _raw(client, "/api/v1/checkins?lang=en", f'{{"code": "{codes[0]}", "nonce": "\\ud800", "admit": 1}}',
                   headers)
    assert dutch.get_json()["error"]["fields"] == {
        "nonce": ["Bevat tekens die niet zijn toegestaan (NUL of een losse surrogaat)."],
        "admit": ["Moet true of false zijn."]}
    assert english.get_json()["error"]["fields"]["admit"] == ["Must be true or false."]
