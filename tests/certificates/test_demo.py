"""The demo's certificates: the past edition has accreditations, register numbers and check-outs, and a
demo attendee's certificate downloads and verifies."""

from __future__ import annotations

import sqlalchemy as sa

from congress.certificates import services
from congress.certificates.models import Accreditation, ProfessionalRegistration
from congress.checkin.models import CheckIn
from congress.core import queries as core
from congress.demo import load_demo
from congress.extensions import db
from congress.registration.models import Registration
from congress.registration.services import manage_secret
from tests.factories import make_user


def test_the_past_edition_has_certificates_and_the_demo_loads_once(app):
    report = load_demo()
    assert any(line.startswith("Certificates of congres-2024") for line in report)
    past = core.congress_by_slug("congres-2024")
    counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Accreditation)),
              db.session.scalar(sa.select(sa.func.count()).select_from(ProfessionalRegistration)))
    load_demo()  # idempotent
    assert (db.session.scalar(sa.select(sa.func.count()).select_from(Accreditation)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ProfessionalRegistration))) == counts
    assert {a.register for a in services.accreditations(past)} == {"SKJ", "Registerplein"}
    assert counts[1] >= 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(
        CheckIn.congress_id == past.id, CheckIn.checked_out_at.is_not(None))) >= 10
    numbered = db.session.scalar(sa.select(Registration).join(
        ProfessionalRegistration, ProfessionalRegistration.registration_id == Registration.id).where(
        Registration.congress_id == past.id).order_by(Registration.id))
    client = app.test_client()
    pdf = client.get(f"/my/{manage_secret(numbered)}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    record, code = services.issue(services.certificate(numbered))
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Dit certificaat is geldig." in page and numbered.name in page
    organiser = app.test_client(user=make_user("organiser", email="cert-demo@example.org"))
    skj = next(a for a in services.accreditations(past) if a.register == "SKJ")
    rows = organiser.get(f"/manage/congres-2024/certificates/{skj.id}/attendance.csv").data.decode("utf-8-sig")
    assert len(rows.strip().splitlines()) > 5
