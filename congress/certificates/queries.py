"""Reads of the certificates: the organiser's summary and the attendance lists per register (the
upload registers ask organisers for)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.certificates import hours, registers
from congress.certificates.models import Accreditation, CertificateRecord, ProfessionalRegistration
from congress.certificates.rules import edition, with_attendance
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db


@dataclass(frozen=True)
class Summary:
    with_attendance: int  # people whose certificate lists attended time
    with_number: int  # of whom gave a register number
    issued: int  # verification records, valid
    revoked: int


def summary(congress: Congress) -> Summary:
    people = list(with_attendance(congress, edition(congress, with_presences=True), utcnow()))
    numbers = set(db.session.scalars(sa.select(ProfessionalRegistration.registration_id).where(
        ProfessionalRegistration.congress_id == congress.id)))
    counts = dict(db.session.execute(
        sa.select(CertificateRecord.revoked_at.is_(None), sa.func.count())
        .where(CertificateRecord.congress_id == congress.id).group_by(CertificateRecord.revoked_at.is_(None))).all())
    return Summary(len(people), sum(1 for c in people if c.registration.id in numbers),
                   counts.get(True, 0), counts.get(False, 0))


def header() -> list[str]:
    return [_("Name"), _("Registration number"), _("Date"), _("Hours"), _("Points"), _("Accreditation number"),
            _("Professional register")]


def attendance_list(congress: Congress, accreditation: Accreditation
                    ) -> tuple[list[str], list[list[object]]]:
    """One row per person of this register and congress day attended: name, their number, the date,
    the hours and points that day, the accreditation's number. People who gave another register (or
    none) are not on it."""
    key = registers.register_key(accreditation.register)
    rows: list[list[object]] = []
    for cert in with_attendance(congress, edition(congress, with_presences=True), utcnow()):
        professional = cert.professional
        if professional is None or registers.register_key(professional.register) != key:
            continue
        points = next((p for p in cert.points if p.accreditation.id == accreditation.id), None)
        spans: dict[date, list[tuple[datetime, datetime]]] = {}
        for line in cert.lines:
            spans.setdefault(line.day, []).append((line.since, line.until))
        minutes_by_day = {day: int(hours.union(s).total_seconds() // 60) for day, s in spans.items()}
        for day in sorted(minutes_by_day):
            value = points.by_day.get(day, Decimal(0)) if points is not None else Decimal(0)
            rows.append([cert.registration.name, professional.number, day,
                         round(minutes_by_day[day] / 60, 2), float(value), accreditation.number,
                         accreditation.register])
    return header(), rows


def file_part(text: str) -> str:
    """A register's name as part of a file name (ASCII letters, digits and hyphens)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "register"
