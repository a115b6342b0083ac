"""Commands of the certificates: accreditations, the attendee's professional registration, issuing a
certificate's verification record, revoking it, verifying a code, and the two retentions.

Reads that build a certificate live in :mod:`congress.certificates.rules` (re-exported here)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.badges import services as badges
from congress.certificates import codes, registers
from congress.certificates.models import (
    Accreditation,
    Basis,
    CertificateRecord,
    ProfessionalRegistration,
    RevokedBecause,
)
from congress.certificates.registers import KNOWN_REGISTERS
from congress.certificates.rules import Certificate, Edition, accreditations, certificate, edition, refusal
from congress.core.models import Congress
from congress.database import transactional, utcnow, write_transaction
from congress.errors import InvalidInput
from congress.extensions import db
from congress.registration.models import Registration

__all__ = [
    "DEFAULT_RETENTION_YEARS", "ERASED_NAME", "KNOWN_REGISTERS", "UNITS", "AccreditationError", "Certificate",
    "Edition", "RegisterNumberError", "Verification", "accreditations", "add_accreditation",
    "anonymise_professional_registrations", "certificate", "code_of", "delete_accreditation", "edition",
    "erase_for_registration", "issue", "parse_points", "refusal", "register_names", "remove_expired_records",
    "retention_years", "revoke_for_registration", "set_professional_registration", "verify",
]

DEFAULT_RETENTION_YEARS = 7
ERASED_NAME = "—"
# The point units registers round to; in hundredths.
UNITS = (100, 50, 25, 10)
MAX_POINTS = Decimal(1000)

NUMBER_MESSAGES = {
    "big": _l("A BIG number has 11 digits."),
    "skj": _l("An SKJ registration number has 5 to 12 digits."),
    "free": _l("Use letters, digits, hyphens or slashes (at most 40)."),
}


class AccreditationError(InvalidInput):
    """An accreditation that cannot be saved; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RegisterNumberError(InvalidInput):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- accreditations ----------------------------------------------------------------------------

def parse_points(text: object) -> Decimal | None:
    """Points as an organiser types them ("4", "3,5", "0.25"): positive, at most 1000, two decimals."""
    if not isinstance(text, str) or len(text) > 12:
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > MAX_POINTS or value != value.quantize(Decimal("0.01")):
        return None
    return value


@transactional
def add_accreditation(congress: Congress, *, register: str, number: str, basis: str, points: Decimal,
                      unit_hundredths: int) -> Accreditation:
    register = " ".join(register.split())
    number = number.strip()
    if not register or len(register) > 80:
        raise AccreditationError("register", str(_l("Name the register (at most 80 characters).")))
    if len(number) > 80:
        raise AccreditationError("number", str(_l("At most %(n)d characters.", n=80)))
    if basis not in {b.value for b in Basis}:
        raise AccreditationError("basis", str(_l("Choose per session or per day.")))
    if unit_hundredths not in UNITS:
        raise AccreditationError("unit", str(_l("Choose one of the units.")))
    if points <= 0 or points > MAX_POINTS:
        raise AccreditationError("points", str(_l("Give a number of points between 0 and 1000, e.g. 4 or 3,5.")))
    accreditation = Accreditation(congress_id=congress.id, register=register, number=number, basis=basis,
                                  points_hundredths=int(points * 100), unit_hundredths=unit_hundredths)
    db.session.add(accreditation)
    db.session.flush()
    record("certificates.accreditation_add", accreditation, congress_id=congress.id, register=register,
           number=number, basis=basis, points=str(points))
    return accreditation


@transactional
def delete_accreditation(accreditation: Accreditation) -> None:
    record("certificates.accreditation_delete", accreditation, congress_id=accreditation.congress_id,
           register=accreditation.register, number=accreditation.number)
    db.session.delete(accreditation)


# --- the attendee's register and number --------------------------------------------------------

def register_names(congress: Congress) -> list[str]:
    """The registers the attendee may choose: those of the edition's accreditations, once each."""
    seen: dict[str, str] = {}
    for a in accreditations(congress):
        seen.setdefault(registers.register_key(a.register), a.register)
    return list(seen.values())


@transactional
def set_professional_registration(registration: Registration, register: str, number: str) -> None:
    """Set (both given) or clear (both empty) the person's register and number in it."""
    register = register.strip()
    number = number.strip()
    current = db.session.get(ProfessionalRegistration, registration.id)
    if not register and not number:
        if current is not None:
            db.session.delete(current)
            record("certificates.register_number_clear", registration, congress_id=registration.congress_id)
        return
    names = {registers.register_key(n): n for n in register_names(registration.congress)}
    if registers.register_key(register) not in names:
        raise RegisterNumberError("register", str(_l("Choose your register.")))
    register = names[registers.register_key(register)]
    stored = registers.check_number(register, number)
    if stored is None:
        message = NUMBER_MESSAGES[registers.number_format(register).message_key]
        raise RegisterNumberError("number", str(message))
    if current is None:
        current = ProfessionalRegistration(registration_id=registration.id, congress_id=registration.congress_id)
        db.session.add(current)
    current.register = register
    current.number = stored
    db.session.flush()
    record("certificates.register_number", registration, congress_id=registration.congress_id, register=register)


# --- issuing: the verification record and its code ---------------------------------------------

def _content(cert: Certificate) -> dict:
    congress = cert.congress
    return {
        "name": cert.registration.name,
        "edition_nl": congress.title("nl"),
        "edition_en": congress.title("en"),
        "dates": cert.dates,
        "minutes": cert.minutes,
        "points": [{"register": p.accreditation.register, "number": p.accreditation.number, "points": str(p.points)}
                   for p in cert.points],
    }


def _digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def code_of(record_: CertificateRecord) -> str:
    """The record's verification code (Ed25519 signatures are deterministic: always the same code)."""
    congress = db.session.get(Congress, record_.congress_id)
    signature = badges.sign_with_edition_key(congress, codes.signed_bytes(congress.id, record_.id))
    return codes.encode(congress.id, record_.id, signature)


def issue(cert: Certificate) -> tuple[CertificateRecord, str]:
    """The verification record of this certificate and its code: the same content finds the record
    issued before; changed content (a late scan, a corrected name) gets a new one and revokes the old
    one as superseded."""
    registration = cert.registration
    content = _content(cert)
    digest = _digest(content)
    found = db.session.scalar(sa.select(CertificateRecord).where(
        CertificateRecord.registration_id == registration.id, CertificateRecord.digest == digest,
        CertificateRecord.revoked_at.is_(None)))
    if found is None:
        badges.ensure_edition_key(cert.congress)
        with write_transaction(keep_loaded=True):
            now = utcnow()
            db.session.execute(sa.update(CertificateRecord).where(
                CertificateRecord.registration_id == registration.id, CertificateRecord.revoked_at.is_(None))
                .values(revoked_at=now, revoked_because=RevokedBecause.SUPERSEDED.value))
            found = CertificateRecord(congress_id=cert.congress.id, registration_id=registration.id,
                                      digest=digest, issued_at=now, **content)
            db.session.add(found)
            db.session.flush()
            record("certificates.issue", registration, congress_id=cert.congress.id, certificate=found.id,
                   minutes=cert.minutes)
    return found, code_of(found)


def revoke_for_registration(registration: Registration, because: RevokedBecause) -> int:
    """Revoke the registration's valid records (in the caller's transaction); how many."""
    return db.session.execute(sa.update(CertificateRecord).where(
        CertificateRecord.registration_id == registration.id, CertificateRecord.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_because=because.value)).rowcount or 0


def erase_for_registration(registration: Registration) -> None:
    """A person's erasure (in its transaction): their records revoked as erased and their name taken out
    of them (the code still says "revoked"), their register number deleted."""
    db.session.execute(sa.update(CertificateRecord).where(
        CertificateRecord.registration_id == registration.id, CertificateRecord.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_because=RevokedBecause.ERASED.value))
    db.session.execute(sa.update(CertificateRecord).where(CertificateRecord.registration_id == registration.id)
                       .values(name=ERASED_NAME))
    db.session.execute(sa.delete(ProfessionalRegistration).where(
        ProfessionalRegistration.registration_id == registration.id))


# --- verifying ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verification:
    """``state``: ``valid``, ``revoked``, ``forged`` (malformed, altered, not signed by the edition) or
    ``unknown`` (signed, but the record is gone: past its retention period)."""

    state: str
    record: CertificateRecord | None = None


def verify(code: object) -> Verification:
    try:
        claim = codes.decode(code)
    except codes.InvalidCode:
        return Verification("forged")
    if not badges.verify_with_edition_key(claim.congress_id, claim.signed, claim.signature):
        return Verification("forged")
    found = db.session.get(CertificateRecord, claim.record_id)
    if found is None or found.congress_id != claim.congress_id:
        return Verification("unknown")
    return Verification("revoked" if found.revoked_at is not None else "valid", found)


# --- retention -----------------------------------------------------------------------------------

def retention_years() -> int:
    value = current_app.config.get("CERTIFICATE_RETENTION_YEARS", DEFAULT_RETENTION_YEARS)
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return DEFAULT_RETENTION_YEARS


def remove_expired_records(now: datetime | None = None) -> int:
    """Delete the verification records issued longer ago than the certificate retention period."""
    now = now or utcnow()
    cutoff = now - timedelta(days=round(365.25 * retention_years()))
    with write_transaction():
        count = db.session.execute(sa.delete(CertificateRecord).where(CertificateRecord.issued_at < cutoff)).rowcount
        if count:
            record("certificates.records_expired", None, count=count, years=retention_years())
    return count or 0


def anonymise_professional_registrations(congress: Congress, *, dry_run: bool = False) -> dict[str, int]:
    """The edition's retention (``manage.retention``, in its transaction): the register numbers go; the
    verification records stay for their own, longer, period."""
    query = sa.select(sa.func.count()).select_from(ProfessionalRegistration).where(
        ProfessionalRegistration.congress_id == congress.id)
    count = db.session.scalar(query) or 0
    if not dry_run and count:
        db.session.execute(sa.delete(ProfessionalRegistration).where(
            ProfessionalRegistration.congress_id == congress.id))
    return {"register_numbers": count}
