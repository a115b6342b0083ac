"""The organisers' pages."""

from __future__ import annotations

import csv
import io

import pypdfium2
import sqlalchemy as sa
from openpyxl import load_workbook

from congress.audit.models import AuditEvent
from congress.core import services as core
from congress.demo import load_demo
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.factories import make_user
from tests.registration.factories import add_round, form_data, open_congress, registered


def setup_edition():
    congress = open_congress()
    _, (small, big) = add_round(congress)
    people = [registered(congress, [small.id], n=i, confirmed=i % 2 == 0,
                         organisation="Gemeente Utrecht" if i < 2 else "=HYPERLINK(\"x\")").registration
              for i in range(4)]
    return congress, small, big, people


def test_list_search_filters_sort_and_pagination(app, organiser):
    congress, small, big, people = setup_edition()
    client = app.test_client(user=organiser)
    base = f"/manage/registrations/{congress.slug}/"
    html = client.get(base).get_data(as_text=True)
    assert all(p.name in html for p in people)
    html = client.get(base + "?q=deelnemer1%40").get_data(as_text=True)
    assert "Deelnemer 1<" in html and "Deelnemer 2<" not in html
    html = client.get(base + "?status=confirmed").get_data(as_text=True)
    assert "Deelnemer 0<" in html and "Deelnemer 1<" not in html
    html = client.get(base + f"?session={small.id}&place=waitlisted").get_data(as_text=True)
    assert "Deelnemer 2<" in html and "Deelnemer 0<" not in html
    html = client.get(base + "?confirmed=no").get_data(as_text=True)
    assert "Deelnemer 1<" in html and "Deelnemer 0<" not in html
    html = client.get(base + f"?sector={people[0].sector_id}&sort=-name").get_data(as_text=True)
    assert html.index("Deelnemer 3<") < html.index("Deelnemer 0<")
    for i in range(4, 55):
        registered(congress, n=i)
    page1 = client.get(base).get_data(as_text=True)
    assert "Pagina 1 van 2" in page1
    assert "Deelnemer 54<" in client.get(base + "?page=2").get_data(as_text=True)


def test_exports_csv_and_xlsx(app, organiser):
    congress, small, _big, people = setup_edition()
    client = app.test_client(user=organiser)
    response = client.get(f"/manage/registrations/{congress.slug}/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1] == "Naam" and len(rows) == 5
    assert all(not r[3].startswith("=") for r in rows[1:])  # formulas are neutralised
    response = client.get(f"/manage/registrations/{congress.slug}/export.xlsx?status=confirmed")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(1, 2).value == "Naam" and sheet.max_row == 3
    response = client.get(f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 5
    response = client.get(f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.csv")
    assert "wachtlijst 1" in response.data.decode("utf-8-sig")


def test_attendance_pdf(app, organiser):
    congress, small, _big, people = setup_edition()
    client = app.test_client(user=organiser)
    response = client.get(f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")

    pdf = pypdfium2.PdfDocument(response.data)
    text = pdf[0].get_textpage().get_text_range()
    assert people[0].name in text and small.title in text
    assert "Handtekening" in text


def test_statistics_has_chart_and_table_without_inline_script(app, organiser):
    congress, small, _big, _people = setup_edition()
    client = app.test_client(user=organiser)
    html = client.get(f"/manage/registrations/{congress.slug}/statistics").get_data(as_text=True)
    assert 'id="fill-table"' in html and 'class="js-cockpit-chart"' in html
    assert "<script>" not in html and "<script " in html and "style=" not in html
    assert small.title in html
    assert client.get("/manage/registrations/chart.js").status_code == 200


def test_add_by_hand_skips_double_opt_in(app, organiser, mailbox):
    congress, small, _big, _people = setup_edition()
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/registrations/{congress.slug}/new", data={
        **form_data(congress, 99), "role": "pers", f"round_{small.signup_round_id}": str(small.id)})
    assert response.status_code == 302
    r = db.session.scalar(sa.select(Registration).where(Registration.email == "form99@example.org"))
    assert r.status == "confirmed" and r.role == "pers" and r.source == "organiser"
    assert r.enrolments[0].status == "waitlisted"
    assert "bevestigd" in mailbox[-1]["Subject"]


def test_move_with_and_without_override(app, organiser):
    congress, small, _big, people = setup_edition()
    client = app.test_client(user=organiser)
    waiting = people[3]
    url = f"/manage/registrations/{congress.slug}/{waiting.id}/move"
    client.post(url, data={"session": str(small.id), "target": "enrolled"})
    assert db.session.get(Registration, waiting.id).enrolments[0].status == "waitlisted"
    client.post(url, data={"session": str(small.id), "target": "enrolled", "override": "y"})
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).enrolments[0].status == "enrolled"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "registration.enrolment_override"))


def test_cancel_role_and_capacity(app, organiser, mailbox):
    congress, small, _big, people = setup_edition()
    client = app.test_client(user=organiser)
    client.post(f"/manage/registrations/{congress.slug}/{people[1].id}/role", data={"role": "vrijwilliger"})
    assert db.session.get(Registration, people[1].id).role == "vrijwilliger"
    client.post(f"/manage/registrations/{congress.slug}/{people[0].id}/cancel", data={"step": "confirmed"})
    db.session.expire_all()
    assert db.session.get(Registration, people[0].id).status == "cancelled"
    assert db.session.get(Registration, people[2].id).enrolments[0].status == "enrolled"
    response = client.post(f"/manage/registrations/{congress.slug}/sessions/{small.id}", data={"capacity": "5"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, people[3].id).enrolments[0].status == "enrolled"


def test_settings_window_and_links_to_sectors_and_questions(app, organiser):
    congress = open_congress()
    client = app.test_client(user=organiser)
    url = f"/manage/registrations/{congress.slug}/settings"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"window-opens_at": "2026-12-01T09:00", "window-closes_at": "2026-12-20T17:00",
                                      "window-capacity": "250", "window-submit": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert congress.capacity == 250 and congress.registration_opens_at.hour == 8  # 09:00 Amsterdam = 08:00 UTC
    page = client.get(url).get_data(as_text=True)
    # Sectors and questions have pages of their own, linked from the settings.
    assert f"/manage/registrations/{congress.slug}/sectors" in page
    assert f"/manage/{congress.slug}/questions/registration/" in page


def test_detail_and_edit(app, organiser):
    congress, _small, _big, people = setup_edition()
    client = app.test_client(user=organiser)
    assert people[0].email in client.get(f"/manage/registrations/{congress.slug}/{people[0].id}").get_data(
        as_text=True)
    response = client.post(f"/manage/registrations/{congress.slug}/{people[0].id}/edit", data={
        "name": "Ander Naam", "email": people[0].email, "sector": str(people[0].sector_id), "role": "organisatie"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, people[0].id).name == "Ander Naam"
    assert db.session.get(Registration, people[0].id).role == "organisatie"
    other = open_congress("ander")
    assert client.get(f"/manage/registrations/{other.slug}/{people[0].id}").status_code == 404


def test_organisers_only(app):
    congress = open_congress()
    checkin = make_user("checkin")
    assert app.test_client(user=checkin).get(f"/manage/registrations/{congress.slug}/").status_code == 403


def test_demo_is_usable_and_idempotent(app):
    load_demo()
    load_demo()

    congress = core.congress_by_slug("congres-2025")
    assert services.registration_state(congress) == "open"
    # Registration's own 40 in this edition (the cockpit's demo adds its own: congress/manage/demo_after.py;
    # the past edition has its own, with its waiting list).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.congress_id == congress.id, Registration.email.like("%@deelnemers.example"))) == 40
    seats = {s.session.title: s for s in services.seat_overview(congress)}
    small = next(s for title, s in seats.items() if title.startswith("Gastlessen"))
    assert small.full and small.waiting > 0
    assert all(s.enrolled <= s.capacity for s in seats.values())


def test_every_page_renders_with_the_demo_in_both_languages(app, organiser):
    load_demo()

    congress = core.congress_by_slug("congres-2025")
    session = services.seat_overview(congress)[0].session
    registration = db.session.scalar(sa.select(Registration).where(Registration.congress_id == congress.id))
    client = app.test_client(user=organiser)
    base = f"/manage/registrations/{congress.slug}"
    pages = ["/manage/registrations/", "/manage/", f"{base}/", f"{base}/new", f"{base}/sessions/",
             f"{base}/sessions/{session.id}", f"{base}/statistics", f"{base}/settings", f"{base}/{registration.id}",
             f"{base}/{registration.id}/edit", f"/{congress.slug}/register", f"/{congress.slug}/register/link",
             f"/{congress.slug}/register/thanks", "/congres-2024/register"]
    for lang in ("nl", "en"):
        for url in pages:
            response = client.get(f"{url}?lang={lang}")
            assert response.status_code == 200, (url, response.status_code)
    link = services.manage_secret(registration)
    anonymous = app.test_client()
    for url in (f"/my/{link}", f"/my/{link}/edit", f"/my/{link}/cancel", f"/my/{link}/erase",
                f"/my/{link}/agenda.ics", f"/my/{link}/data.json"):
        assert anonymous.get(url).status_code == 200, url
    html = anonymous.get("/congres-2024/register").get_data(as_text=True)
    assert "gesloten" in html
