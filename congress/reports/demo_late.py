"""Demo data for the reach report of the past edition (idempotent): the people who came to
``congres-2024`` had chosen a workshop per time slot, and most of them were scanned at its door, so
that the report shows figures per track and per workshop (the registration demo registered them
without workshops, and the cockpit's demo found the edition full).

A ``demo_late`` module: it needs the door check-ins of ``congress/manage/demo_after.py``. Rows are
written directly, with the session's start as the scan time: demo data only."""

from __future__ import annotations

import random
from collections import defaultdict

import sqlalchemy as sa

from congress.checkin.models import VENUE, CheckIn, list_key
from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from congress.registration.models import Enrolment, Registration

PAST_SLUG = "congres-2024"


def load(report: list[str]) -> None:
    congress = db.session.scalar(sa.select(Congress).where(Congress.slug == PAST_SLUG))
    if congress is None:
        return
    if db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).join(Registration).where(
            Registration.congress_id == congress.id)):
        return
    sessions = db.session.scalars(sa.select(ProgrammeSession).where(
        ProgrammeSession.congress_id == congress.id, ProgrammeSession.is_cancelled.is_(False),
        ProgrammeSession.track_id.is_not(None), ProgrammeSession.starts_at.is_not(None))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)).all()
    slots: dict[object, list[ProgrammeSession]] = defaultdict(list)
    for session in sessions:
        slots[session.starts_at].append(session)
    parallel = [group for group in slots.values() if len(group) > 1]  # a choice between workshops
    if not parallel:
        return
    came = set(db.session.scalars(sa.select(CheckIn.registration_id).where(
        CheckIn.congress_id == congress.id, CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))))
    people = db.session.scalars(sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.status == "confirmed").order_by(Registration.id)).all()
    rng = random.Random("reach-2024")
    enrolled = scanned = 0
    for person in people:
        for group in parallel:
            session = group[rng.randrange(len(group))]
            db.session.add(Enrolment(registration_id=person.id, session_id=session.id, round_id=None,
                                     status="enrolled", position=None, created_at=person.created_at))
            enrolled += 1
            if person.id in came and rng.random() < 0.85:
                db.session.add(CheckIn(congress_id=congress.id, registration_id=person.id,
                                       list_key=list_key(session.id), session_id=session.id,
                                       station_name=session.title[:120], scanned_at=session.starts_at,
                                       received_at=session.starts_at))
                scanned += 1
    db.session.flush()
    report.append(f"{congress.slug}: {enrolled} workshop choices and {scanned} check-ins at the workshops' doors.")
