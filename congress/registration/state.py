"""The edition's state for registration: open or not, seats per session, the waiting rank (reads)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.programme.models import ProgrammeSession, SignupRound
from congress.registration.models import (
    AttendanceMode,
    EditionSettings,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
    Sector,
)
from congress.registration.request_cache import per_request as _per_request

DEFAULT_HOLD_HOURS = 48
ACTIVE = (RegistrationStatus.PENDING.value, RegistrationStatus.CONFIRMED.value)


def hold_hours() -> int:
    """How long an unconfirmed registration holds its seats (config or environment, default 48)."""
    value = current_app.config.get("REGISTRATION_HOLD_HOURS") or os.environ.get("REGISTRATION_HOLD_HOURS")
    return int(value or DEFAULT_HOLD_HOURS)


def active_count(congress_id: int, mode: str | None = None) -> int:
    """Registrations holding a place (of one attendance mode, or all)."""
    query = sa.select(sa.func.count()).select_from(Registration).where(
        Registration.congress_id == congress_id, Registration.status.in_(ACTIVE))
    if mode is not None:
        query = query.where(Registration.attendance_mode == mode)
    return db.session.scalar(query) or 0


def online_places(congress_id: int) -> tuple[bool, int | None]:
    """(whether the edition offers online places, their limit or None)."""
    row = db.session.execute(sa.select(EditionSettings.online_places, EditionSettings.online_capacity).where(
        EditionSettings.congress_id == congress_id)).first()
    return (bool(row[0]), row[1]) if row is not None else (False, None)


def online_places_left(congress_id: int) -> int | None:
    """Online places still free: None when there is no limit, 0 when the edition offers none or they are taken."""
    offered, capacity = online_places(congress_id)
    if not offered:
        return 0
    if capacity is None:
        return None
    return max(capacity - active_count(congress_id, AttendanceMode.ONLINE.value), 0)


def window_state(congress: Congress, now: datetime | None = None) -> str:
    """``not_open``, ``open`` or ``closed`` (by the dates and the edition's status: only a published one opens)."""
    now = now or utcnow()
    if congress.status != "published":  # a draft, or closed or archived (edition lifecycle)
        return "closed"
    if congress.registration_opens_at is None or now < congress.registration_opens_at:
        return "not_open"
    if now >= congress.registration_closes:  # the window's close, else the edition's start
        return "closed"
    return "open"


def attendee_changes_allowed(congress: Congress) -> bool:
    """Attendees change or cancel their registration only while the edition is published: a closed one
    refuses registrations and changes by attendees, an archived one is read-only (edition lifecycle)."""
    return congress.status == "published"


def registration_state(congress: Congress, now: datetime | None = None) -> str:
    """``not_open``, ``open``, ``full`` or ``closed``."""
    state = window_state(congress, now)
    if state == "open" and congress.capacity is not None and (
            active_count(congress.id, AttendanceMode.IN_PERSON.value) >= congress.capacity) and (
            online_places_left(congress.id) == 0):
        return "full"  # the venue is full, and no online place is left either
    return state


# Statements on the registration's hot path are built once, with bound parameters: building and
# keying a statement costs as much as running it on SQLite.
@functools.cache
def _sectors_query() -> sa.Select:
    return sa.select(Sector).where(Sector.congress_id == sa.bindparam("congress_id")).order_by(
        Sector.position, Sector.id)


def sectors(congress: Congress) -> list[Sector]:
    congress_id = congress.id
    return _per_request(f"sectors-{congress_id}", lambda: list(
        db.session.scalars(_sectors_query(), {"congress_id": congress_id})))


def signup_sessions(congress: Congress) -> list[ProgrammeSession]:
    """Sessions an attendee can choose: in a sign-up round or requiring sign-up, not cancelled."""
    return list(db.session.scalars(
        sa.select(ProgrammeSession)
        .where(
            ProgrammeSession.congress_id == congress.id,
            ProgrammeSession.is_cancelled.is_(False),
            sa.or_(ProgrammeSession.signup_round_id.is_not(None), ProgrammeSession.signup_required.is_(True)),
        )
        .options(selectinload(ProgrammeSession.room), selectinload(ProgrammeSession.track),
                 selectinload(ProgrammeSession.signup_round), selectinload(ProgrammeSession.speakers))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ))


def enrolled_counts(session_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{session id: {"enrolled": n, "waitlisted": m}}."""
    ids = list(session_ids)
    counts = {sid: {"enrolled": 0, "waitlisted": 0} for sid in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        sa.select(Enrolment.session_id, Enrolment.status, sa.func.count())
        .where(Enrolment.session_id.in_(ids))
        .group_by(Enrolment.session_id, Enrolment.status)
    )
    for session_id, status, count in rows:
        counts[session_id][status] = count
    return counts


@dataclass
class SessionSeats:
    session: ProgrammeSession
    capacity: int | None
    enrolled: int
    waiting: int

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.enrolled, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.enrolled >= self.capacity


def seat_overview(congress: Congress) -> list[SessionSeats]:
    sessions = signup_sessions(congress)
    counts = enrolled_counts(s.id for s in sessions)
    return [SessionSeats(s, s.effective_capacity, counts[s.id]["enrolled"], counts[s.id]["waitlisted"])
            for s in sessions]


def rounds_with_seats(congress: Congress) -> list[tuple[SignupRound | None, list[SessionSeats]]]:
    """Sessions grouped by sign-up round (rounds in their order; sessions outside a round last)."""
    grouped: dict[int | None, list[SessionSeats]] = {}
    rounds: dict[int | None, SignupRound | None] = {}
    for seats in seat_overview(congress):
        key = seats.session.signup_round_id
        grouped.setdefault(key, []).append(seats)
        rounds[key] = seats.session.signup_round
    order = sorted(grouped, key=lambda k: (k is None, rounds[k].position if rounds[k] else 0, k or 0))
    return [(rounds[k], grouped[k]) for k in order]


def waiting_rank(enrolment: Enrolment) -> int | None:
    """1 for the first person waiting."""
    if enrolment.status != EnrolmentStatus.WAITLISTED.value or enrolment.position is None:
        return None
    known = enrolment.__dict__.get("rank_when_enrolled")
    if known:
        # Set by _enrol inside the transaction that took the place (saves a count per mail and answer).
        return known
    ahead = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrolment).where(
            Enrolment.session_id == enrolment.session_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED.value,
            Enrolment.position < enrolment.position,
        )
    ) or 0
    return ahead + 1
