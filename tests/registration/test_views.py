"""Public registration pages and self-service through the personal link."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from congress.database import utcnow
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import add_round, form_data, open_congress, registered
from tests.urls_support import BASE_NETLOC


def link_from(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/my/[A-Za-z0-9_-]+", body).group(0)


def test_form_shows_rounds_with_seats_left(client):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    registered(congress, [small.id], n=1)
    registered(congress, [small.id], n=2)
    html = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert small.title in html and big.title in html
    assert "Vol: u komt op de wachtlijst" in html
    assert "30 plaatsen vrij" in html
    assert "gemeente" in html  # the sector list


def test_register_confirm_change_and_cancel_through_the_mails(client, mailbox):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    response = client.post(f"/{congress.slug}/register",
                           data=form_data(congress, 1, **{f"round_{small.signup_round_id}": str(small.id)}))
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/thanks?seats=1")
    assert len(mailbox) == 1
    link = link_from(mailbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "Wacht op bevestiging" in page.get_data(as_text=True)
    assert client.post(f"/{path}/confirm").status_code == 302
    r = db.session.scalar(sa.select(Registration))
    assert r.status == "confirmed"
    edit_page = client.get(f"/{path}/edit")
    assert edit_page.status_code == 200 and "Uw keuze: Ingeschreven" in edit_page.get_data(as_text=True)
    response = client.post(f"/{path}/edit", data={
        "name": "Nieuwe Naam", "email": r.email, "sector": str(r.sector_id),
        f"round_{small.signup_round_id}": str(big.id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    r = db.session.get(Registration, r.id)
    assert r.name == "Nieuwe Naam" and [e.session_id for e in r.enrolments] == [big.id]
    assert client.post(f"/{path}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, r.id).status == "cancelled"
    assert db.session.get(Registration, r.id).enrolments == []


def test_bad_input_keeps_what_was_typed_and_shows_errors_in_dutch_and_english(client):
    congress = open_congress()
    bad = form_data(congress, 1, email="geen-adres", name="", consent_privacy="")
    bad["organisation"] = "Mijn Organisatie"
    response = client.post(f"/{congress.slug}/register", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een geldig e-mailadres in." in html
    assert 'value="Mijn Organisatie"' in html and 'value="geen-adres"' in html
    assert 'aria-describedby="email-limit email-error"' in html
    html = client.post(f"/{congress.slug}/register?lang=en", data=bad).get_data(as_text=True)
    assert "Enter a valid e-mail address." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_closed_and_full_editions_show_a_clear_message(client):
    congress = open_congress(capacity=1)
    registered(congress, n=1)
    response = client.get(f"/{congress.slug}/register")
    assert "Deze editie is vol" in response.get_data(as_text=True)
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 2))
    assert response.status_code == 409 and "vol" in response.get_data(as_text=True)
    congress.registration_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert "gesloten" in client.get(f"/{congress.slug}/register").get_data(as_text=True)


def test_a_second_registration_answers_the_same_and_mails_the_owner(client, mailbox):
    congress = open_congress()
    registered(congress, n=1, confirmed=True)
    mailbox.clear()
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 9, email="deelnemer1@example.org"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/thanks")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert len(mailbox) == 1 and "persoonlijke link" in mailbox[0]["Subject"]


def test_send_me_my_link_answers_the_same(client, mailbox):
    congress = open_congress()
    registered(congress, n=1, confirmed=True)
    mailbox.clear()
    known = client.post(f"/{congress.slug}/register/link", data={"email": "deelnemer1@example.org"},
                        follow_redirects=True)
    unknown = client.post(f"/{congress.slug}/register/link", data={"email": "onbekend@example.org"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*', "", html)  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert len(mailbox) == 1 and mailbox[0]["To"] == "deelnemer1@example.org"


def test_personal_agenda_download_and_webcal(client):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    result = registered(congress, [small.id], n=1, confirmed=True)
    html = client.get(f"/my/{result.link}").get_data(as_text=True)
    assert f"webcal://{BASE_NETLOC}/my/{result.link}/agenda.ics" in html
    response = client.get(f"/my/{result.link}/agenda.ics")
    assert response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == [small.title]


def test_data_download_and_erase(client):
    congress = open_congress()
    result = registered(congress, n=1, confirmed=True, dietary="glutenvrij")
    response = client.get(f"/my/{result.link}/data.json")
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["dietary_wishes"] == "glutenvrij"
    assert client.post(f"/my/{result.link}/erase", data={}).status_code == 422
    assert client.post(f"/my/{result.link}/erase", data={"sure": "y"}).status_code == 302
    assert client.get(f"/my/{result.link}").status_code == 404
    r = db.session.get(Registration, result.registration.id)
    assert r.email == "" and r.status == "cancelled"


def test_unknown_secret_is_404(client):
    assert client.get("/my/" + "a" * 43).status_code == 404
    assert client.get("/my/short").status_code == 404


def test_form_rate_limit(app, client):
    congress = open_congress()
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.post(f"/{congress.slug}/register/link", data={"email": "a@example.org"},
                             environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(3)]
    finally:
        app.config.pop("REGISTRATION_RATE_LIMIT")
    assert codes[:2] == [302, 302] and codes[2] == 429


def test_custom_questions_on_the_form(client):
    congress = open_congress()
    q = services.add_question(congress, kind="multiple_choice", label_nl="Welke thema's?", label_en="Which themes?",
                              required=True, options=[("Digitaal", "Digital"), ("Jeugd", "Youth")])
    html = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert "Welke thema&#39;s?" in html or "Welke thema's?" in html
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 1))
    assert response.status_code == 422 and "Dit veld is verplicht." in response.get_data(as_text=True)
    response = client.post(f"/{congress.slug}/register", data={**form_data(congress, 1), f"q_{q.id}": ["1", "2"]})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Registration)).answers == {str(q.id): ["1", "2"]}


def test_manage_page_links_to_the_e_ticket(app, client):
    congress = open_congress()
    result = registered(congress, n=1, confirmed=True)
    html = client.get(f"/my/{result.link}").get_data(as_text=True)
    assert "Uw toegangsbewijs downloaden" in html and f"/my/{result.link}/ticket.pdf" in html
    ticket = client.get(f"/my/{result.link}/ticket.pdf")
    assert ticket.status_code == 200 and ticket.data.startswith(b"%PDF")


def test_edition_pages_invite_to_register_while_registration_is_open(client):
    congress = open_congress("open-voor-aanmelding")
    for url in ("/", f"/{congress.slug}/"):
        html = client.get(url).get_data(as_text=True)
        assert f'href="/{congress.slug}/register"' in html
    congress.registration_closes_at = congress.registration_opens_at

    db.session.commit()
    assert f'href="/{congress.slug}/register"' not in client.get(f"/{congress.slug}/").get_data(as_text=True)
