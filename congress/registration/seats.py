"""Seats, inside a write transaction: locks, seat facts, enrolling, the waiting list and its promotion.

Every change of an enrolment locks the rows it depends on with ``SELECT … FOR UPDATE`` on PostgreSQL
(on SQLite the write transaction holds the whole database), always in the same order: the edition
row first, then the session rows by id, so that transactions never deadlock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress, Room
from congress.database import lock_for_update, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.programme.models import ProgrammeSession
from congress.registration.errors import RegistrationError
from congress.registration.links import manage_url
from congress.registration.models import Enrolment, EnrolmentStatus, Registration
from congress.registration.state import enrolled_counts


def _row_locks() -> bool:
    """PostgreSQL locks rows; on SQLite the write transaction already holds the whole database."""
    return db.engine.dialect.name != "sqlite"


def _lock_congress(congress_id: int) -> None:
    if _row_locks():
        db.session.execute(lock_for_update(sa.select(Congress.id).where(Congress.id == congress_id)))


@functools.cache
def _lock_sessions_query() -> sa.Select:
    # PostgreSQL only. In id order, so that two registrations locking the same sessions never deadlock.
    return sa.select(ProgrammeSession.id).where(ProgrammeSession.id.in_(sa.bindparam("ids", expanding=True))).order_by(
        ProgrammeSession.id).with_for_update()


def _lock_sessions(session_ids: Iterable[int]) -> None:
    ids = sorted(set(session_ids))
    if ids and _row_locks():
        db.session.execute(_lock_sessions_query(), {"ids": ids}).all()


def _enrolled_now(session_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrolment).where(
            Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED.value
        )
    ) or 0


SeatFacts = tuple[int | None, int | None, int, int, int]


@functools.cache
def _seat_facts_query() -> sa.Select:
    def count(status: str):
        return (sa.select(sa.func.count()).select_from(Enrolment)
                .where(Enrolment.session_id == ProgrammeSession.id, Enrolment.status == status).scalar_subquery())

    last = (sa.select(sa.func.coalesce(sa.func.max(Enrolment.position), 0))
            .where(Enrolment.session_id == ProgrammeSession.id).scalar_subquery())
    return (sa.select(ProgrammeSession.id, ProgrammeSession.signup_round_id,
                      sa.func.coalesce(ProgrammeSession.capacity, Room.capacity),
                      count(EnrolmentStatus.ENROLLED.value), count(EnrolmentStatus.WAITLISTED.value), last)
            .outerjoin(Room, ProgrammeSession.room_id == Room.id)
            .where(ProgrammeSession.id.in_(sa.bindparam("ids", expanding=True))))


def _seat_facts_of(session_ids: Iterable[int]) -> dict[int, SeatFacts]:
    """(round id, effective capacity, enrolled, waiting, last waiting position) per session, in one
    query. Read inside the transaction that holds the sessions' locks."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(_seat_facts_query(), {"ids": ids})
    return {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in rows}


def _seat_facts(session_id: int) -> SeatFacts:
    return _seat_facts_of([session_id])[session_id]


@dataclass(frozen=True)
class Seat:
    """What a choice gets: a seat, or a place on the waiting list (``rank``: 0 for a seat)."""

    round_id: int | None
    status: str
    position: int | None
    over_capacity: bool
    rank: int


def _seat(facts: SeatFacts, *, override: bool = False, waitlist: bool = False) -> Seat:
    round_id, capacity, taken, waiting, last_position = facts
    has_seat = not waitlist and (override or capacity is None or taken < capacity)
    return Seat(round_id=round_id,
                status=EnrolmentStatus.ENROLLED.value if has_seat else EnrolmentStatus.WAITLISTED.value,
                position=None if has_seat else last_position + 1,
                over_capacity=bool(has_seat and override and capacity is not None and taken >= capacity),
                rank=0 if has_seat else waiting + 1)


def _enrol(registration: Registration, session_id: int, *, override: bool = False,
           waitlist: bool = False) -> Enrolment:
    """Take a seat when one is free (or with ``override``), else a place at the end of the waiting list.
    The caller holds the session's lock."""
    seat = _seat(_seat_facts(session_id), override=override, waitlist=waitlist)
    enrolment = Enrolment(registration=registration, session_id=session_id, round_id=seat.round_id,
                          status=seat.status, position=seat.position, over_capacity=seat.over_capacity)
    db.session.add(enrolment)
    # Known now, so that mails and answers need no count: 0 for a seat, else the place in the queue.
    enrolment.rank_when_enrolled = seat.rank
    return enrolment


def promote_waiting_list(session_id: int) -> list[Enrolment]:
    """Give free seats of a session to the first people waiting, and e-mail them.

    Call inside a write transaction that holds the session's lock (``promote_after_change`` opens one).
    """
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        return []
    promoted: list[Enrolment] = []
    capacity = session.effective_capacity
    while True:
        if capacity is not None and _enrolled_now(session_id) >= capacity:
            break
        first = db.session.scalar(
            sa.select(Enrolment).where(
                Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.WAITLISTED.value
            ).order_by(Enrolment.position).limit(1)
        )
        if first is None:
            break
        first.status = EnrolmentStatus.ENROLLED.value
        first.position = None
        db.session.flush()
        promoted.append(first)
        registration = first.registration
        record("registration.waitlist_promoted", registration, session_id=session_id)
        if registration.email:
            queue_mail(registration.email, "registration/promoted", locale=registration.locale,
                       congress_id=registration.congress_id, registration=registration, session=session,
                       congress=registration.congress, link=manage_url(registration))
    return promoted


def promote_after_change(session: ProgrammeSession) -> list[Enrolment]:
    """For other capabilities: after raising a session's (or its room's) capacity, fill the seats."""
    with write_transaction():
        _lock_sessions([session.id])
        return promote_waiting_list(session.id)


def set_session_capacity(session: ProgrammeSession, capacity: int | None) -> list[Enrolment]:
    """Organisers: change a session's capacity; a raised capacity promotes the waiting list at once."""
    if capacity is not None and capacity < 0:
        raise RegistrationError(_l("Capacity cannot be negative."), field="capacity")
    session_id = session.id
    with write_transaction():
        _lock_sessions([session_id])
        session = db.session.get(ProgrammeSession, session_id)
        old = session.capacity
        session.capacity = capacity
        record("registration.session_capacity", session, old=old, new=capacity)
        db.session.flush()
        return promote_waiting_list(session_id)


def seats_left_for_session(session: ProgrammeSession) -> int | None:
    """Seats left in a session open for sign-up (None: no sign-up or no limit), for programme pages."""
    if session.signup_round_id is None and not session.signup_required:
        return None
    capacity = session.effective_capacity
    if capacity is None:
        return None
    return max(capacity - enrolled_counts([session.id])[session.id]["enrolled"], 0)
