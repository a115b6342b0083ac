"""The certificate through the personal link (a PDF with real text and a QR code that verifies), the
public verification page, and the organiser's accreditations and attendance lists."""

from __future__ import annotations

import csv
import io

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from openpyxl import load_workbook
from pypdf import PdfReader

from congress.audit.models import AuditEvent
from congress.certificates import codes
from congress.certificates.models import Accreditation
from congress.extensions import db
from congress.registration import services as registrations
from congress.registration.services import manage_secret
from tests.certificates.factories import at, certificate_edition, scan


@pytest.fixture
def edition(app):
    return certificate_edition("certificaat-views")


def pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(pdf)))


def qr_codes(pdf: bytes, dpi: int = 150) -> list[str]:
    found = []
    for page in pypdfium2.PdfDocument(io.BytesIO(pdf)):
        found += [r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())]
    return found


def _attend(edition):
    congress, (a, b, _plenary), people, codes_, day, _ = edition
    scan(congress, codes_[0], "venue", at(day, "08:55"))
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    scan(congress, codes_[0], a.id, at(day, "11:00"), "out")
    scan(congress, codes_[0], b.id, at(day, "13:30"))
    return people[0]


def test_the_certificate_says_the_name_and_hours_and_its_qr_code_verifies(app, edition):
    person = _attend(edition)
    client = app.test_client()
    secret = manage_secret(person)
    page = client.get(f"/my/{secret}/certificate")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Download uw certificaat (pdf)" in html and "Werkplaats A" in html
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    response = client.get(f"/my/{secret}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    text = pdf_text(pdf)
    # 45 min plenary + 60 min of workshop A + 30 min of B = 2.25 hours, in Dutch
    assert "Bewijs van deelname" in text and person.name in text
    assert "Werkplaats A" in text and "Werkplaats B" in text and "2,25" in text
    assert "SKJ" in text and "SKJ-2024-0815" in text
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    assert document.get_metadata_dict()["Title"].startswith("Bewijs van deelname")
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "nl"  # tagged, with its language
    found = qr_codes(pdf)
    assert len(found) == 1 and found[0].startswith("http") and "/verify/V1" in found[0]
    assert found[0].split("/verify/")[1] in text.replace("\r", "").replace("\n", "")
    verified = client.get("/verify/" + found[0].split("/verify/")[1])
    assert verified.status_code == 200
    body = verified.get_data(as_text=True)
    assert "Dit certificaat is geldig." in body and person.name in body and "2,25" in body
    assert verified.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in body


def test_in_english_for_an_english_registration(app, edition):
    person = _attend(edition)
    person.locale = "en"
    db.session.commit()
    pdf = app.test_client().get(f"/my/{manage_secret(person)}/certificate.pdf?lang=en").data
    text = pdf_text(pdf)
    assert "Certificate of attendance" in text and "2.25" in text
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en"


def test_no_attendance_is_a_clear_page_not_a_pdf(app, edition):
    _congress, _s, people, _c, _d, _ = edition
    client = app.test_client()
    response = client.get(f"/my/{manage_secret(people[1])}/certificate.pdf")
    assert response.status_code == 404
    assert "geen aanwezigheid geregistreerd" in response.get_data(as_text=True)


def test_a_cancelled_registrations_certificate_is_shown_revoked(app, edition):
    person = _attend(edition)
    client = app.test_client()
    secret = manage_secret(person)
    code = qr_codes(client.get(f"/my/{secret}/certificate.pdf").data)[0].split("/verify/")[1]
    registrations.cancel(person, reason="attendee", notify=False)
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Dit certificaat is ingetrokken." in body and "De aanmelding is geannuleerd." in body
    assert "geldig." not in body.replace("ingetrokken.", "")


@pytest.mark.parametrize("code", ["garbage", "V1" + "A" * 117, "V1" + "7" * 117, "%00", "x" * 3000, "..%2F..%2F",
                                  "V1%ED%A0%80", "a/b/c"])
def test_garbage_and_forged_codes_get_a_clear_page(app, code):
    response = app.test_client().get(f"/verify/{code}")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "Dit is geen geldige verificatiecode." in response.get_data(as_text=True)


def test_an_altered_code_is_refused(app, edition):
    person = _attend(edition)
    client = app.test_client()
    code = qr_codes(client.get(f"/my/{manage_secret(person)}/certificate.pdf").data)[0].split("/verify/")[1]
    claim = codes.decode(code)
    altered = codes.encode(claim.congress_id, claim.record_id + 1, claim.signature)
    response = client.get(f"/verify/{altered}")
    assert response.status_code == 400
    assert "Dit is geen geldige verificatiecode." in response.get_data(as_text=True)


def test_the_attendee_gives_a_register_number_errors_next_to_the_field(app, edition):
    _congress, _s, people, _c, _d, _ = edition
    client = app.test_client()
    secret = manage_secret(people[0])
    wrong = client.post(f"/my/{secret}/certificate", data={"register": "SKJ", "number": "12ab"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "Een SKJ-registratienummer heeft 5 tot 12 cijfers." in html and 'value="12ab"' in html
    bogus = client.post(f"/my/{secret}/certificate", data={"register": "Geen register", "number": "12345"})
    assert bogus.status_code == 422
    ok = client.post(f"/my/{secret}/certificate", data={"register": "SKJ", "number": "123456"})
    assert ok.status_code == 302
    assert 'value="123456"' in client.get(f"/my/{secret}/certificate").get_data(as_text=True)
    assert "/certificate" in client.get(f"/my/{secret}").get_data(as_text=True)


def test_the_organiser_adds_and_deletes_accreditations(app, edition, organiser):
    congress = edition[0]
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{congress.slug}/certificates")
    assert page.status_code == 200 and "SKJ-2024-0815" in page.get_data(as_text=True)
    wrong = client.post(f"/manage/{congress.slug}/certificates",
                        data={"register": "Kwaliteitsregister V&V", "points": "drie", "basis": "day", "unit": "100"})
    assert wrong.status_code == 422
    assert "Geef een aantal punten tussen 0 en 1000" in wrong.get_data(as_text=True)
    ok = client.post(f"/manage/{congress.slug}/certificates",
                     data={"register": "Kwaliteitsregister V&V", "number": "VV-1", "points": "3,5", "basis": "session",
                           "unit": "50"})
    assert ok.status_code == 302
    added = db.session.scalar(sa.select(Accreditation).where(Accreditation.register == "Kwaliteitsregister V&V"))
    assert (added.points_hundredths, added.unit_hundredths, added.basis) == (350, 50, "session")
    added_id = added.id
    assert client.post(f"/manage/{congress.slug}/certificates/{added_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Accreditation, added_id) is None


def test_the_attendance_list_per_register(app, edition, organiser):
    congress, _s, people, _c, day, (skj, plein) = edition
    person = _attend(edition)
    registrations_ = registrations  # noqa: F841 - the module, for readability below
    from congress.certificates import services  # noqa: PLC0415
    services.set_professional_registration(person, "SKJ", "110012345")
    client = app.test_client(user=organiser)
    response = client.get(f"/manage/{congress.slug}/certificates/{skj.id}/attendance.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Naam", "Registratienummer", "Datum", "Uren", "Punten", "Accreditatienummer", "Beroepsregister"]
    # 45 + 60 + 30 minutes of 195: 4 × 135/195 = 2.77 → 2
    assert rows[1:] == [[person.name, "110012345", day.isoformat(), "2.25", "2.0", "SKJ-2024-0815", "SKJ"]]
    # Registerplein's list: nobody gave that register
    other = client.get(f"/manage/{congress.slug}/certificates/{plein.id}/attendance.csv")
    assert len(list(csv.reader(io.StringIO(other.data.decode("utf-8-sig")), delimiter=";"))) == 1
    xlsx = client.get(f"/manage/{congress.slug}/certificates/{skj.id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:2] == ["Naam", "Registratienummer"]
    assert sheet.cell(2, 4).value == 2.25
    events = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action == "export.certificate_attendance")).all()
    assert len(events) == 3


def test_another_editions_accreditation_is_a_404(app, edition, organiser):
    congress, _s, _p, _c, _d, (skj, _plein) = edition
    other = certificate_edition("ander-congres", people=1)[0]
    client = app.test_client(user=organiser)
    assert client.get(f"/manage/{other.slug}/certificates/{skj.id}/attendance.csv").status_code == 404
    assert client.post(f"/manage/{other.slug}/certificates/{skj.id}/delete").status_code == 404
