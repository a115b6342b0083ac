"""Certificates without HTTP: hours from the scans, points, issuing and verifying, revoking, retention."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from congress.certificates import codes, services
from congress.certificates.models import CertificateRecord, ProfessionalRegistration
from congress.checkin import services as checkin
from congress.checkin.models import CheckIn
from congress.database import utcnow
from congress.extensions import db
from congress.manage import retention
from congress.registration import services as registrations
from congress.registration.models import Registration
from tests.certificates.factories import at, certificate_edition, scan


@pytest.fixture
def edition(app):
    return certificate_edition()


def test_a_certificates_hours_equal_the_scans(edition):
    """Acceptance: check-in and check-out at two sessions, one of them without a check-out."""
    congress, (a, b, plenary), people, codes_, day, (skj, plein) = edition
    person, code = people[0], codes_[0]
    scan(congress, code, "venue", at(day, "09:20"))  # late for the plenary: 25 of its 45 minutes
    scan(congress, code, a.id, at(day, "10:10"))
    scan(congress, code, a.id, at(day, "11:05"), "out")  # 55 minutes of workshop A
    scan(congress, code, b.id, at(day, "13:15"))  # no check-out: to the end, 45 minutes of B
    cert = services.certificate(person)
    assert [(line.title, line.minutes) for line in cert.lines] == [
        ("Plenaire opening", 25), ("Werkplaats A", 55), ("Werkplaats B", 45)]
    assert cert.minutes == 25 + 55 + 45
    assert [(line.since, line.until) for line in cert.lines][1] == (at(day, "10:10"), at(day, "11:05"))
    points = {p.accreditation.register: p.points for p in cert.points}
    # SKJ: 4 per day × 125/195 of the day's programme (09:00-09:45, 10:00-11:30, 13:00-14:00) = 2.56 → 2
    assert points["SKJ"] == Decimal(2)
    # Registerplein: 1.5 × (25/45 + 55/90 + 45/60) = 2.88 → 2.5
    assert points["Registerplein"] == Decimal("2.5")
    assert services.refusal(person, cert) is None


def test_a_later_check_out_scan_moves_it_an_earlier_one_does_not(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    scan(congress, codes_[0], a.id, at(day, "10:30"), "out")
    scan(congress, codes_[0], a.id, at(day, "11:00"), "out")
    scan(congress, codes_[0], a.id, at(day, "10:45"), "out")  # an offline queue, uploaded late
    row = db.session.scalar(sa.select(CheckIn).where(CheckIn.session_id == a.id))
    assert row.checked_out_at == at(day, "11:00")
    assert services.certificate(people[0]).minutes == 60


def test_a_check_out_of_someone_not_checked_in_writes_nothing(edition):
    congress, (a, _b, _p), _people, codes_, day, _ = edition
    answer = checkin.scan_out(checkin.Scan(code=codes_[1], list=a.id, congress=congress, scanned_at=at(day, "11:00")))
    assert answer["result"] == "not_checked_in"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0
    assert checkin.scan_out(checkin.Scan(code="rommel", list=a.id, congress=congress))["result"] == "invalid"


def test_no_attendance_no_certificate(edition):
    congress, _sessions, people, _codes, _day, _ = edition
    assert services.refusal(people[1]) == "no_attendance"


def test_not_before_the_session_has_ended(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    assert services.refusal(people[0], now=at(day, "11:00")) == "not_yet"
    assert services.refusal(people[0], now=at(day, "11:31")) is None


def test_issue_and_verify(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    record, code = services.issue(services.certificate(people[0]))
    assert len(code) == codes.CODE_LENGTH and code.isalnum() and code.isupper()
    again, same = services.issue(services.certificate(people[0]))
    assert (again.id, same) == (record.id, code)  # the same content: the same record and code
    result = services.verify(code)
    assert result.state == "valid"
    assert (result.record.name, result.record.minutes) == (people[0].name, 90)
    # SKJ: 4 × 90/195 of the day = 1.85 → 1; Registerplein: 1.5 for all of one session
    assert {p["register"]: p["points"] for p in result.record.points} == {"SKJ": "1", "Registerplein": "1.5"}
    assert services.verify(code.lower()).state == "valid"


@pytest.mark.parametrize("garbage", [
    "", "V1", "x" * 5000, "V1" + "A" * 117, "\x00", "V1\ud800", "../../etc/passwd", "C1" + "A" * 127, None, 12,
    "V1" + "Ü" * 117,
])
def test_garbage_is_refused(app, garbage):
    assert services.verify(garbage).state == "forged"


def test_forged_and_altered_codes_are_refused(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    scan(congress, codes_[1], a.id, at(day, "10:00"))
    first, code = services.issue(services.certificate(people[0]))
    second, _ = services.issue(services.certificate(people[1]))
    claim = codes.decode(code)
    # Another record's id under this signature: altered.
    altered = codes.encode(claim.congress_id, second.id, claim.signature)
    assert services.verify(altered).state == "forged"
    # A character changed in the signature.
    flipped = code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:]
    assert services.verify(flipped).state == "forged"
    # Signed with another key (a forger's own).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: PLC0415
    forged = codes.encode(claim.congress_id, first.id, Ed25519PrivateKey.generate().sign(claim.signed))
    assert services.verify(forged).state == "forged"
    # A badge code is not a certificate's.
    assert services.verify(codes_[0]).state == "forged"


def test_a_change_supersedes_the_old_certificate(edition):
    congress, (a, b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    old, old_code = services.issue(services.certificate(people[0]))
    scan(congress, codes_[0], b.id, at(day, "13:00"))  # a late upload from the afternoon's station
    new, new_code = services.issue(services.certificate(people[0]))
    assert new.id != old.id and new.minutes == 150
    assert services.verify(old_code).state == "revoked"
    assert services.verify(old_code).record.revoked_because == "superseded"
    assert services.verify(new_code).state == "valid"


def test_cancelling_revokes(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    _record, code = services.issue(services.certificate(people[0]))
    registrations.cancel(people[0], reason="organiser", notify=False)
    result = services.verify(code)
    assert (result.state, result.record.revoked_because) == ("revoked", "cancelled")
    assert services.refusal(db.session.get(Registration, people[0].id)) == "cancelled"


def test_erasing_revokes_and_takes_the_name_out(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    services.set_professional_registration(people[0], "SKJ", "123456")
    _record, code = services.issue(services.certificate(people[0]))
    registrations.erase(people[0])
    result = services.verify(code)
    assert (result.state, result.record.revoked_because, result.record.name) == ("revoked", "erased", "—")
    assert db.session.get(ProfessionalRegistration, people[0].id) is None


def test_the_editions_retention_keeps_the_records_and_drops_the_numbers(edition):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    services.set_professional_registration(people[0], "Registerplein", "RP 1234")
    _record, code = services.issue(services.certificate(people[0]))
    name = people[0].name
    assert retention._anonymise(congress.id)["register_numbers"] == 1
    assert db.session.get(ProfessionalRegistration, people[0].id) is None
    result = services.verify(code)
    assert (result.state, result.record.name) == ("valid", name)
    assert db.session.get(Registration, people[0].id).name == "—"  # the registration itself is anonymised


def test_records_go_after_the_certificate_retention_period(edition, app):
    congress, (a, _b, _p), people, codes_, day, _ = edition
    scan(congress, codes_[0], a.id, at(day, "10:00"))
    _record, code = services.issue(services.certificate(people[0]))
    assert services.remove_expired_records(now=utcnow() + timedelta(days=365 * 6)) == 0
    app.config["CERTIFICATE_RETENTION_YEARS"] = 2
    try:
        assert services.remove_expired_records(now=utcnow() + timedelta(days=365 * 3)) == 1
    finally:
        app.config["CERTIFICATE_RETENTION_YEARS"] = 7
    assert services.verify(code).state == "unknown"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateRecord)) == 0


@pytest.mark.parametrize(("register", "number", "stored"), [
    ("SKJ", "123 456", "123456"), ("Registerplein", "rp-2024/17", "rp-2024/17"), ("SKJ", " 110.012.345 ", "110012345"),
])
def test_register_numbers_are_checked_per_register(edition, register, number, stored):
    congress, _s, people, _c, _d, _ = edition
    services.set_professional_registration(people[0], register, number)
    assert db.session.get(ProfessionalRegistration, people[0].id).number == stored


@pytest.mark.parametrize(("register", "number", "field"), [
    ("SKJ", "12ab", "number"), ("SKJ", "1234", "number"), ("Registerplein", "x" * 41, "number"),
    ("Registerplein", "<script>", "number"), ("BIG-register", "12345678901", "register"), ("", "123456", "register"),
    ("SKJ", "\x00123456", "number"),
])
def test_bad_register_numbers_are_refused(edition, register, number, field):
    congress, _s, people, _c, _d, _ = edition
    with pytest.raises(services.RegisterNumberError) as caught:
        services.set_professional_registration(people[0], register, number)
    assert caught.value.field == field
    assert db.session.get(ProfessionalRegistration, people[0].id) is None


def test_a_big_number_has_eleven_digits(edition):
    congress, _s, people, _c, _d, _ = edition
    services.add_accreditation(congress, register="BIG-register", number="", basis="day", points=Decimal(3),
                               unit_hundredths=100)
    with pytest.raises(services.RegisterNumberError):
        services.set_professional_registration(people[0], "BIG", "1234567890")
    services.set_professional_registration(people[0], "big register", "1234 5678 901")
    stored = db.session.get(ProfessionalRegistration, people[0].id)
    assert (stored.register, stored.number) == ("BIG-register", "12345678901")
    services.set_professional_registration(people[0], "", "")
    assert db.session.get(ProfessionalRegistration, people[0].id) is None


@pytest.mark.parametrize(("text", "value"), [("4", Decimal(4)), ("3,5", Decimal("3.5")), (" 0.25 ", Decimal("0.25")),
                                             ("0", None), ("-1", None), ("1e400", None), ("NaN", None), ("1.234", None),
                                             ("abc", None), ("1001", None), (None, None), ("9" * 20, None)])
def test_points_as_organisers_type_them(app, text, value):
    assert services.parse_points(text) == value
