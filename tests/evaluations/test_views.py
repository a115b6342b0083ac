"""The personal evaluation pages and the organisers' results: only the checked-in, errors next to the
field in Dutch, nothing shown or exported below the threshold."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from congress.database import utcnow
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.registration.services import manage_secret
from tests.evaluations.factories import evaluation_edition, scan_in


@pytest.fixture
def edition(app):
    congress, sessions, people, codes, _ = evaluation_edition("evaluatie-views", people=6)
    for session in sessions:  # both workshops ended an hour ago
        session.starts_at, session.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    congress.starts_on = congress.ends_on = date.today()  # so the whole congress's evaluation is open too
    db.session.commit()
    return congress, sessions, people, codes


def _form_data(congress, rating="4", text="Heel praktisch, goede voorbeelden uit de wijk."):
    questions = question_queries.questions(congress, "evaluation")
    return {f"q_{questions[0].id}": rating, f"q_{questions[-1].id}": text}


def test_an_attendee_evaluates_a_workshop_and_changes_it(app, edition):
    congress, sessions, people, codes = edition
    scan_in(congress, codes[0], sessions[0].id)
    client = app.test_client()
    secret = manage_secret(people[0])
    page = client.get(f"/my/{secret}/evaluations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert sessions[0].title in html and sessions[1].title not in html
    assert f"/my/{secret}/evaluations/{sessions[0].id}" in html and f"/my/{secret}/evaluations/congress" in html
    assert page.headers["Cache-Control"] == "private, no-store"

    form = client.get(f"/my/{secret}/evaluations/{sessions[0].id}")
    assert "1 = slecht, 5 = uitstekend" in form.get_data(as_text=True)
    wrong = client.post(f"/my/{secret}/evaluations/{sessions[0].id}", data=_form_data(congress, rating=""))
    assert wrong.status_code == 422
    assert "Dit veld is verplicht." in wrong.get_data(as_text=True)
    ok = client.post(f"/my/{secret}/evaluations/{sessions[0].id}", data=_form_data(congress))
    assert ok.status_code == 302
    again = client.post(f"/my/{secret}/evaluations/{sessions[0].id}", data=_form_data(congress, rating="2"))
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 1
    shown = client.get(f"/my/{secret}/evaluations/{sessions[0].id}").get_data(as_text=True)
    first = question_queries.questions(congress, "evaluation")[0]
    assert re.search(rf'<input[^>]*checked[^>]*id="q_{first.id}-1"', shown), shown[shown.find(f"q_{first.id}"):][:600]
    assert client.post(f"/my/{secret}/evaluations/congress", data=_form_data(congress)).status_code == 302


def test_not_checked_in_means_not_found(app, edition):
    congress, sessions, people, codes = edition
    client = app.test_client()
    secret = manage_secret(people[1])
    assert client.get(f"/my/{secret}/evaluations/{sessions[0].id}").status_code == 404
    assert client.post(f"/my/{secret}/evaluations/{sessions[0].id}", data=_form_data(congress)).status_code == 404
    assert client.get(f"/my/{secret}/evaluations/congress").status_code == 404
    assert client.get("/my/not-a-real-secret-at-all-000000/evaluations").status_code == 404
    assert client.get(f"/my/{secret}/evaluations/99999999999999999999").status_code == 404


def _answer(app, congress, session, person, code, rating, text):
    scan_in(congress, code, session.id)
    response = app.test_client().post(f"/my/{manage_secret(person)}/evaluations/{session.id}",
                                      data=_form_data(congress, str(rating), text))
    assert response.status_code == 302


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_below_the_threshold_nothing_is_shown_or_exported(app, edition, organiser):
    congress, sessions, people, codes = edition
    texts = ["Inspirerend verhaal van de wijkagent.", "Te weinig tijd voor vragen.", "Goede voorbeelden.",
             "Heel bruikbaar voor ons team.", "Graag een vervolg."]
    for i in range(4):
        _answer(app, congress, sessions[0], people[i], codes[i], i + 2, texts[i])
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{congress.slug}/evaluations").get_data(as_text=True)
    assert "Minder dan 5 antwoorden" in page
    assert texts[0] not in page
    rows = _csv(client.get(f"/manage/{congress.slug}/evaluations.csv"))
    assert len(rows) == 1  # the header only
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/{congress.slug}/evaluations.xlsx").data)).active
    assert sheet.max_row == 1

    _answer(app, congress, sessions[0], people[4], codes[4], 5, texts[4])
    page = client.get(f"/manage/{congress.slug}/evaluations").get_data(as_text=True)
    assert all(t in page for t in texts)
    assert "Gemiddelde 3,8" in page or "Gemiddelde 3.8" in page  # 2, 3, 4, 5, 5
    assert "5 ingecheckt" in page and "respons 100%" in page
    rows = _csv(client.get(f"/manage/{congress.slug}/evaluations.csv"))
    first = question_queries.questions(congress, "evaluation")[0].label_nl
    scale_rows = [r for r in rows[1:] if r[1] == first]
    assert [(r[5], r[6]) for r in scale_rows] == [("1", "0"), ("2", "1"), ("3", "1"), ("4", "1"), ("5", "2")]
    assert all(t not in "".join(",".join(r) for r in rows) for t in texts)  # free texts are no aggregate


def test_the_close_setting_is_checked_next_to_the_field(app, edition, organiser):
    congress = edition[0]
    client = app.test_client(user=organiser)
    wrong = client.post(f"/manage/{congress.slug}/evaluations", data={"close_days": "1000"})
    assert wrong.status_code == 422
    assert "utrecht-form-field-error-message" in wrong.get_data(as_text=True)
    assert client.post(f"/manage/{congress.slug}/evaluations", data={"close_days": "30"}).status_code == 302
    assert client.get(f"/manage/{congress.slug}/evaluations").status_code == 200
    assert app.test_client().get(f"/manage/{congress.slug}/evaluations").status_code in (302, 401, 403)
    editor = client.get(f"/manage/{congress.slug}/questions/evaluation/")
    assert editor.status_code == 200


def test_the_threshold_is_configurable_and_the_personal_page_links_the_evaluations(app, edition, organiser,
                                                                                    monkeypatch):
    congress, sessions, people, codes = edition
    monkeypatch.setitem(app.config, "EVALUATION_MIN_RESPONSES", 2)
    for i in range(2):
        _answer(app, congress, sessions[0], people[i], codes[i], 4, f"Opmerking {i}")
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{congress.slug}/evaluations").get_data(as_text=True)
    assert "Opmerking 0" in page and "Opmerking 1" in page
    assert len(_csv(client.get(f"/manage/{congress.slug}/evaluations.csv"))) > 1
    personal = app.test_client().get(f"/my/{manage_secret(people[0])}").get_data(as_text=True)
    assert f"/my/{manage_secret(people[0])}/evaluations" in personal
