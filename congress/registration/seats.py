"""Seats, inside a write transaction: the seat rule, locks, seat facts, enrolling, the waiting lists and
their promotion — for the whole edition and for each workshop.

**One seat rule.** :func:`decide` answers, for one person and one stock of places (a :class:`Pool`: the
edition's ``Congress.capacity`` or a workshop's capacity), *a place*, *the waiting list* or *refused*.
Registering (the edition) and enrolling (the workshops) both ask it, under the pool's lock, with the
counts read inside the same transaction; promoting a waiting list asks it again for the first person
waiting. A freed place (a cancellation, an expired hold, a raised capacity) is promoted in the
transaction that frees it.

**Locks.** Every change locks the rows it depends on with ``SELECT … FOR UPDATE`` on PostgreSQL (on
SQLite the write transaction holds the whole database), always in the same order: the edition row
first, then the session rows by id, so that transactions never deadlock.

**Reserved places** (invitations: an invitation list holding N places until a date). The edition's
pool gets ``held``: the places still held for invitees whose hold has not expired, counted as taken for
everyone else; an invitee is ``entitled_to_held`` and may take one of them. The reservation rows belong
to the invitations capability, which answers through ``registration.signals.reserved_places_wanted``,
asked under the edition's lock (:func:`_edition_pool`).

**Online places.** An edition may offer online places beside the venue's (``EditionSettings``): a
second pool with its own capacity (``online_capacity``, None: no limit) and its own waiting list,
chosen by the registration's ``attendance_mode``. :func:`_edition_pool` takes the mode and counts only
that mode's registrations; the rule is the same, the same edition lock guards both pools. Places held
for invitation lists are places in the venue. Online registrants take no workshop seats (they can
join every streamed session).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress, Room
from congress.database import lock_for_update, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import RenderedLater, queue_mail
from congress.programme.models import ProgrammeSession
from congress.registration.errors import RegistrationError
from congress.registration.links import manage_secret, manage_url
from congress.registration.models import (
    AttendanceMode,
    EditionSettings,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
)
from congress.registration.signals import registration_confirmed, reserved_places_wanted
from congress.registration.state import ACTIVE, enrolled_counts, hold_hours
from congress.signals import first_answer
from congress.urls import external_url


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


class Outcome(enum.StrEnum):
    PLACE = "place"
    WAITLIST = "waitlist"
    REFUSED = "refused"


@dataclass(frozen=True)
class Pool:
    """A stock of places, read under its lock: the edition or a workshop."""

    capacity: int | None  # None: no limit
    taken: int  # places held now (the edition: pending and confirmed registrations; a workshop: enrolled)
    waiting: int  # people on its waiting list
    last_position: int  # the highest ticket number on the waiting list (0: none yet)
    offers_waitlist: bool  # a workshop always; the edition when its setting says so
    # Reserved places: held for invitation lists until a date, taken for anyone not entitled to them.
    held: int = 0
    entitled_to_held: bool = False  # the person asking is on a list that holds places

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken - self.held, 0)


@dataclass(frozen=True)
class Decision:
    """What the rule decided for one person: ``position`` is the ticket number on the waiting list,
    ``rank`` the place in the queue (1: next), both None for a place."""

    outcome: Outcome
    position: int | None = None
    rank: int | None = None
    over_capacity: bool = False


def decide(pool: Pool, *, override: bool = False, waitlist: bool = False,
           entitled_to_held: bool = False) -> Decision:
    """The one seat rule: a place when one is free (``override``: an organiser's place beyond capacity,
    audited by the caller); else the end of the waiting list when the pool offers one; else refused.
    ``waitlist`` puts someone on the waiting list whatever is free (organisers moving people)."""
    free = pool.free
    if (entitled_to_held or pool.entitled_to_held) and free is not None:
        free += pool.held
    if not waitlist and (free is None or free > 0):
        return Decision(Outcome.PLACE)
    if not waitlist and override:
        return Decision(Outcome.PLACE, over_capacity=True)
    if pool.offers_waitlist or waitlist:
        return Decision(Outcome.WAITLIST, position=pool.last_position + 1, rank=pool.waiting + 1)
    return Decision(Outcome.REFUSED)


@dataclass(frozen=True)
class Seat:
    """What a workshop choice gets: a seat, or a place on the waiting list (``rank``: 0 for a seat)."""

    round_id: int | None
    status: str
    position: int | None
    over_capacity: bool
    rank: int


def _seat(facts: SeatFacts, *, override: bool = False, waitlist: bool = False) -> Seat:
    round_id, capacity, taken, waiting, last_position = facts
    decision = decide(Pool(capacity, taken, waiting, last_position, offers_waitlist=True),
                      override=override, waitlist=waitlist)
    has_seat = decision.outcome is Outcome.PLACE
    return Seat(round_id=round_id,
                status=EnrolmentStatus.ENROLLED.value if has_seat else EnrolmentStatus.WAITLISTED.value,
                position=decision.position, over_capacity=decision.over_capacity, rank=decision.rank or 0)


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


# The edition's waiting list -------------------------------------------------------------------------

def offers_waiting_list(congress_id: int) -> bool:
    """The edition's setting (off when never saved)."""
    return bool(db.session.scalar(sa.select(EditionSettings.waiting_list).where(
        EditionSettings.congress_id == congress_id)))


@functools.cache
def _edition_pool_query(online: bool) -> sa.Select:
    congress_id = sa.bindparam("congress_id")
    mode = AttendanceMode.ONLINE.value if online else AttendanceMode.IN_PERSON.value

    def count(*statuses: str):
        return (sa.select(sa.func.count()).select_from(Registration)
                .where(Registration.congress_id == congress_id, Registration.status.in_(statuses),
                       Registration.attendance_mode == mode)
                .scalar_subquery())

    # Ticket numbers are shared by the two waiting lists (each keeps its own order).
    last = (sa.select(sa.func.coalesce(sa.func.max(Registration.waitlist_position), 0))
            .where(Registration.congress_id == congress_id).scalar_subquery())

    def setting(column):
        return sa.select(column).where(EditionSettings.congress_id == congress_id).scalar_subquery()

    capacity = setting(EditionSettings.online_capacity) if online else Congress.capacity
    return sa.select(capacity, count(*ACTIVE), count(RegistrationStatus.WAITLISTED.value), last,
                     sa.func.coalesce(setting(EditionSettings.waiting_list), sa.false())).where(
        Congress.id == congress_id)


def _edition_pool(congress_id: int, email_key: str | None = None,
                  mode: str = AttendanceMode.IN_PERSON.value) -> Pool:
    """The places of the edition's pool for ``mode`` (the venue or online), in one query; read under
    the edition's lock (:func:`_lock_congress`). With a limit, the venue's places reserved for
    invitation lists are asked too (``email_key``: whether this address may take one of them)."""
    online = mode == AttendanceMode.ONLINE.value
    capacity, taken, waiting, last, offered = db.session.execute(
        _edition_pool_query(online), {"congress_id": congress_id}).one()
    held, entitled = 0, False
    if capacity is not None and not online and reserved_places_wanted.receivers:
        held, entitled = first_answer(reserved_places_wanted, congress_id, default=(0, False),
                                      email_key=email_key, today=utcnow().date())
    return Pool(capacity, taken or 0, waiting or 0, last or 0, offers_waitlist=bool(offered), held=held,
                entitled_to_held=entitled)


def edition_places_left(congress_id: int) -> int | None:
    """The venue's places a visitor can still take (places held for invitation lists count as taken),
    for the public pages; None when the edition has no limit. A read outside any lock: a hint, the
    registration itself decides under the lock."""
    return _edition_pool(congress_id).free


def edition_waiting_count(congress_id: int) -> int:
    """How many people are on the edition's waiting lists (the venue's and the online one)."""
    return sum(_edition_pool(congress_id, mode=mode.value).waiting for mode in AttendanceMode)


def edition_waiting_rank(registration: Registration) -> int | None:
    """1 for the first person on the edition's waiting list; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED.value or registration.waitlist_position is None:
        return None
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.congress_id == registration.congress_id,
        Registration.status == RegistrationStatus.WAITLISTED.value,
        Registration.attendance_mode == registration.attendance_mode,
        Registration.waitlist_position < registration.waitlist_position)) or 0
    return ahead + 1


def promote_edition_waiting_list(congress_id: int, now: datetime | None = None) -> list[Registration]:
    """Give the edition's free places to the first people waiting, in ticket order, and e-mail them.

    Someone registered as confirmed (by an organiser or a partner's API call) gets a confirmed place;
    everyone else an unconfirmed one held for :func:`~.state.hold_hours` to confirm (the expiry job frees
    it again, and promotes the next). Call inside a write transaction holding the edition's lock.
    """
    now = now or utcnow()
    promoted: list[Registration] = []
    for mode in AttendanceMode:
        promoted += _promote_pool(congress_id, mode.value, now)
    return promoted


def _promote_pool(congress_id: int, mode: str, now: datetime) -> list[Registration]:
    promoted: list[Registration] = []
    while True:
        pool = _edition_pool(congress_id, mode=mode)
        if pool.waiting == 0 or decide(_without_waitlist(pool)).outcome is not Outcome.PLACE:
            break
        first = db.session.scalar(sa.select(Registration).where(
            Registration.congress_id == congress_id, Registration.status == RegistrationStatus.WAITLISTED.value,
            Registration.attendance_mode == mode,
        ).order_by(Registration.waitlist_position).limit(1))
        if first is None:
            break
        confirmed = first.confirmed_at is not None
        first.status = RegistrationStatus.CONFIRMED.value if confirmed else RegistrationStatus.PENDING.value
        first.waitlist_position = None
        first.expires_at = None if confirmed else now + timedelta(hours=hold_hours())
        db.session.flush()
        promoted.append(first)
        record("registration.edition_waitlist_promoted", first, status=first.status)
        if first.email:
            secret = manage_secret(first)
            queue_mail(first.email, "registration/promoted_edition", locale=first.locale,
                       congress_id=congress_id, registration=first, congress=first.congress,
                       link=external_url("registration.manage", secret=secret),
                       confirm_link=None if confirmed else external_url("registration.confirm", secret=secret),
                       hours=hold_hours(),
                       attachments=[RenderedLater("ticket", str(first.id))] if confirmed else None)
        if confirmed:
            registration_confirmed.send(first)
    return promoted


def _without_waitlist(pool: Pool) -> Pool:
    """The pool as the promotion sees it: never the waiting list (a place, or nothing to promote)."""
    return Pool(pool.capacity, pool.taken, pool.waiting, pool.last_position, offers_waitlist=False,
                held=pool.held, entitled_to_held=pool.entitled_to_held)


def promote_edition_after_change(congress: Congress) -> list[Registration]:
    """For other capabilities (the edition's settings): after raising the edition's capacity, fill the
    places from the waiting list in one transaction."""
    congress_id = congress.id
    with write_transaction():
        _lock_congress(congress_id)
        return promote_edition_waiting_list(congress_id)
