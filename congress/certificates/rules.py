"""A certificate from the database: the sessions of the edition, the person's scans and the edition's
accreditations, through :mod:`congress.certificates.hours` (plain functions), and who gets one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.certificates import hours
from congress.certificates.models import Accreditation, Basis, ProfessionalRegistration
from congress.checkin import queries as checkin
from congress.checkin.models import VENUE
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.programme import queries as programme
from congress.programme.models import ProgrammeSession
from congress.registration.models import EnrolmentStatus, Registration, RegistrationStatus


@dataclass(frozen=True)
class Line:
    """A session on the certificate and the time attended."""

    session_id: int
    title: str
    day: date
    since: datetime
    until: datetime
    minutes: int


@dataclass(frozen=True)
class Points:
    accreditation: Accreditation
    points: Decimal
    by_day: dict[date, Decimal] = field(default_factory=dict)


@dataclass
class Certificate:
    registration: Registration
    congress: Congress
    lines: list[Line]
    minutes: int
    points: list[Points]
    professional: ProfessionalRegistration | None = None

    @property
    def dates(self) -> str:
        first, last = self.congress.starts_on, self.congress.ends_on
        return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


@dataclass
class Edition:
    """What every certificate of an edition is computed from, read once (a batch reads it once)."""

    congress: Congress
    zone: ZoneInfo
    sessions: dict[int, ProgrammeSession]
    slots: list[hours.Slot]
    accreditations: list[Accreditation]
    presences: dict[int, tuple[dict[int, hours.Presence], hours.Presence | None]] = field(default_factory=dict)
    loaded: bool = False  # ``presences`` holds everyone's scans


def accreditations(congress: Congress) -> list[Accreditation]:
    return list(db.session.scalars(sa.select(Accreditation).where(Accreditation.congress_id == congress.id)
                                   .order_by(Accreditation.register, Accreditation.id)))


def edition(congress: Congress, *, with_presences: bool = False) -> Edition:
    """The edition's scheduled sessions as slots; with ``with_presences`` every person's scans too."""
    with_station = checkin.sessions_with_station(congress)
    sessions = {s.id: s for s in programme.all_sessions(congress)
                if s.starts_at is not None and s.ends_at is not None and not s.is_cancelled}
    slots = [hours.Slot(s.id, s.starts_at, s.ends_at, s.id in with_station, everyone=not s.signup_required)
             for s in sessions.values()]
    result = Edition(congress, programme.zone(congress), sessions, slots, accreditations(congress))
    if with_presences:
        for c in checkin.active_checkins(congress):
            _add_presence(result.presences, c)
        result.loaded = True
    return result


def _add_presence(presences: dict, c) -> None:
    rooms, door = presences.setdefault(c.registration_id, ({}, None))
    presence = hours.Presence(c.scanned_at, c.checked_out_at)
    if c.list_key == VENUE:
        presences[c.registration_id] = (rooms, presence)
    elif c.session_id is not None:
        rooms[c.session_id] = presence


def presences_of(registration: Registration) -> tuple[dict[int, hours.Presence], hours.Presence | None]:
    found: dict = {}
    for c in checkin.registration_checkins(registration.id):
        _add_presence(found, c)
    return found.get(registration.id, ({}, None))


def certificate(registration: Registration, *, now: datetime | None = None, context: Edition | None = None
                ) -> Certificate:
    """The person's certificate as the scans say now (it may list nothing: see :func:`refusal`)."""
    now = now or utcnow()
    context = context or edition(registration.congress)
    if context.loaded:
        rooms, door = context.presences.get(registration.id, ({}, None))
    else:
        rooms, door = presences_of(registration)
    enrolled = [e.session_id for e in registration.enrolments if e.status == EnrolmentStatus.ENROLLED.value]
    attended = hours.attendance(context.slots, rooms, door, context.zone, now, enrolled)
    lines = [Line(a.slot.session_id, context.sessions[a.slot.session_id].title,
                  a.slot.starts_at.astimezone(context.zone).date(), a.since, a.until,
                  int(a.duration.total_seconds() // 60)) for a in attended]
    points = []
    for accreditation in context.accreditations:
        by_day = hours.day_points(attended, context.slots, per_day=accreditation.basis == Basis.DAY.value,
                                  points=accreditation.points, unit=accreditation.unit, zone=context.zone)
        points.append(Points(accreditation, hours.total_points(by_day), by_day))
    minutes = int(hours.total_time(attended).total_seconds() // 60)
    return Certificate(registration, registration.congress, lines, minutes, points,
                       db.session.get(ProfessionalRegistration, registration.id))


def refusal(registration: Registration, cert: Certificate | None = None, *, now: datetime | None = None
            ) -> str | None:
    """Why the person gets no certificate (None: they get one).

    ``cancelled`` (or erased), ``not_yet`` (none of the sessions they were scanned at has ended), or
    ``no_attendance`` (no attended time in any ended session)."""
    if not registration.is_active or registration.erased_at is not None:
        return "cancelled"
    now = now or utcnow()
    cert = cert or certificate(registration, now=now)
    if cert.lines and cert.minutes > 0:
        return None
    later = certificate(registration, now=now + timedelta(days=3660))
    return "not_yet" if later.lines else "no_attendance"


def with_attendance(congress: Congress, context: Edition, now: datetime) -> Iterable[Certificate]:
    """Every active registration's certificate that lists attended time (a batch), by name."""
    ids = list(context.presences)
    registrations = db.session.scalars(sa.select(Registration).where(
        Registration.id.in_(ids or [0]), Registration.congress_id == congress.id,
        Registration.status != RegistrationStatus.CANCELLED.value, Registration.erased_at.is_(None))
        .order_by(Registration.name, Registration.id))
    for registration in registrations:
        cert = certificate(registration, now=now, context=context)
        if cert.lines and cert.minutes > 0:
            yield cert


def with_certificate(congress: Congress, registration_ids: Iterable[int], *, now: datetime | None = None
                     ) -> list[Registration]:
    """Of these registrations, those who get a certificate now (active, attended time in a session that
    has ended): a batch, the edition's scans read once."""
    now = now or utcnow()
    context = edition(congress, with_presences=True)
    ids = [i for i in registration_ids if i in context.presences]
    if not ids:
        return []
    people = db.session.scalars(sa.select(Registration).where(
        Registration.id.in_(ids), Registration.congress_id == congress.id,
        Registration.status != RegistrationStatus.CANCELLED.value, Registration.erased_at.is_(None))
        .order_by(Registration.id))
    found = []
    for registration in people:
        cert = certificate(registration, now=now, context=context)
        if cert.lines and cert.minutes > 0:
            found.append(registration)
    return found
