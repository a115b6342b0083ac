"""Demo certificates of the past edition (idempotent): the SKJ and Registerplein accreditations,
register numbers for a third of the people who came, and check-outs (some left a workshop early, many
checked out at the entrance at the end of the day), so that certificates can be downloaded and
verified in ``make run``, and the attendance lists have rows.

A ``demo_late`` module: it needs the check-ins that ``congress/manage/demo_after.py`` writes. Rows are
written directly (the edition is archived, so the services would refuse): demo data only."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.certificates.models import Accreditation, Basis, ProfessionalRegistration
from congress.checkin.models import VENUE, CheckIn
from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from congress.registration.models import Registration
from congress.registration.services import manage_secret

PAST_SLUG = "congres-2024"
ACCREDITATIONS = (
    # register, accreditation number, basis, points (hundredths), unit (hundredths)
    ("SKJ", "SKJ-2024-118734", Basis.DAY.value, 400, 100),
    ("Registerplein", "RP-24-0451", Basis.SESSION.value, 150, 50),
)


def load(report: list[str]) -> None:
    congress = db.session.scalar(sa.select(Congress).where(Congress.slug == PAST_SLUG))
    if congress is None or db.session.scalar(sa.select(sa.func.count()).select_from(Accreditation).where(
            Accreditation.congress_id == congress.id)):
        return
    for register, number, basis, points, unit in ACCREDITATIONS:
        db.session.add(Accreditation(congress_id=congress.id, register=register, number=number, basis=basis,
                                     points_hundredths=points, unit_hundredths=unit))
    rng = random.Random(f"certificates-{congress.slug}")
    zone = ZoneInfo(congress.timezone)
    checkins = db.session.scalars(sa.select(CheckIn).where(CheckIn.congress_id == congress.id,
                                                           CheckIn.undone_at.is_(None)).order_by(CheckIn.id)).all()
    ends = {s.id: s.ends_at for s in db.session.scalars(sa.select(ProgrammeSession).where(
        ProgrammeSession.congress_id == congress.id))}
    left_early = checked_out = 0
    for checkin in checkins:
        if checkin.list_key == VENUE:
            if rng.random() < 0.6:  # most scanned out at the entrance at the end of the day
                day = checkin.scanned_at.astimezone(zone).date()
                out = datetime.combine(day, time(16, 15), tzinfo=zone) + timedelta(minutes=rng.randrange(0, 50))
                checkin.checked_out_at = max(out, checkin.scanned_at + timedelta(minutes=5))
                checked_out += 1
        elif checkin.session_id in ends and ends[checkin.session_id] is not None and rng.random() < 0.25:
            checkin.checked_out_at = ends[checkin.session_id] - timedelta(minutes=rng.randrange(10, 35))
            left_early += 1
    people = db.session.scalars(sa.select(Registration).where(
        Registration.id.in_({c.registration_id for c in checkins if c.list_key == VENUE}),
        Registration.status == "confirmed").order_by(Registration.id)).all()
    numbered = 0
    for i, person in enumerate(people):
        if i % 3 == 0:
            register, number = "SKJ", str(110_000_000 + rng.randrange(100_000, 999_999))
        elif i % 3 == 1 and i % 2:
            register, number = "Registerplein", f"RP{rng.randrange(10_000, 99_999)}"
        else:
            continue
        db.session.add(ProfessionalRegistration(registration_id=person.id, congress_id=congress.id,
                                                register=register, number=number))
        numbered += 1
    db.session.flush()
    report.append(f"Certificates of {congress.slug}: {len(ACCREDITATIONS)} accreditations, {numbered} register "
                  f"numbers, {checked_out} check-outs at the entrance, {left_early} left a workshop early.")
    if people:
        report.append(f"  a certificate to try: /my/{manage_secret(people[0])}/certificate")
