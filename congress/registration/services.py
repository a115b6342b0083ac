"""The rules of registration. Plain functions, no ``request``: views, the API, jobs and tests call them.

Seats are guarded by the database. Every change of an enrolment runs inside
:func:`congress.database.write_transaction` (SQLite: ``BEGIN IMMEDIATE``, one writer at a time) and
locks the rows it depends on with ``SELECT … FOR UPDATE`` on PostgreSQL, always in the same order
(the edition row first, then the session rows by id) so that transactions never deadlock. Counts are
read inside that transaction; the waiting list is promoted in the same transaction that frees a seat.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from congress.audit.services import Ref, record
from congress.core.models import Congress
from congress.database import (
    end_transaction,
    insert_unless_exists,
    lock_for_update,
    transactional,
    utcnow,
    write_transaction,
)
from congress.extensions import db
from congress.mail.services import RenderedLater, queue_mail, queue_mail_later, register_context_builder
from congress.programme.models import ProgrammeSession, SignupRound
from congress.registration.errors import RegistrationError
from congress.registration.models import (
    BadgeRole,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
    Sector,
)
from congress.registration.questions import add_question as add_question  # the face re-exports
from congress.registration.questions import clean_answers, questions
from congress.registration.questions import delete_question as delete_question
from congress.registration.request_cache import per_request as _per_request
from congress.urls import external_url

DEFAULT_HOLD_HOURS = 48
ACTIVE = (RegistrationStatus.PENDING.value, RegistrationStatus.CONFIRMED.value)
DEFAULT_SECTORS = [
    ("gemeente", "municipality"),
    ("maatschappelijke organisatie", "civil-society organisation"),
    ("onderwijsinstelling", "educational institution"),
    ("kennisinstelling", "knowledge institution"),
    ("Rijksoverheid", "central government"),
    ("inwoner/ervaringsdeskundige", "resident/expert by experience"),
    ("anders", "other"),
]
ERASED_NAME = "—"


@dataclass
class RegistrationData:
    """What a person enters (form, API or organiser)."""

    name: str
    email: str
    organisation: str = ""
    function: str = ""
    sector_id: int | None = None
    dietary: str = ""
    accessibility: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    consent_privacy: bool = False
    consent_attendee_list: bool = False
    consent_photos: bool = False
    locale: str = "nl"
    email_key: str = ""  # the normalised e-mail, set by validate_data


# --- e-mail addresses and secrets ------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The e-mail's syntax checked (email-validator) and its canonical, lower-case form."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise RegistrationError(_l("Enter a valid e-mail address."), field="email") from None
    return result.normalized.lower()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _secret_for_nonce(nonce: str) -> str:
    """The personal link's secret: HMAC-SHA256(SECRET_KEY, nonce), 256 bits.

    The database keeps only its hash and the nonce; without the application's key neither reveals
    the link, yet every e-mail can carry the same link (calendar subscriptions keep working).
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"registration-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_link(registration: Registration) -> str:
    nonce = secrets.token_urlsafe(24)
    secret = _secret_for_nonce(nonce)
    registration.manage_nonce = nonce
    registration.manage_secret_hash = hash_secret(secret)
    return secret


def manage_secret(registration: Registration) -> str:
    return _secret_for_nonce(registration.manage_nonce)


def find_by_secret(secret: str) -> Registration | None:
    if not secret or len(secret) < 20 or len(secret) > 100:
        return None
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.manage_secret_hash == hash_secret(secret))
    )
    if registration is None or registration.erased_at is not None:
        return None
    return registration


def manage_url(registration: Registration) -> str:
    return external_url("registration.manage", secret=manage_secret(registration))


# --- the edition's state ---------------------------------------------------------------------


def hold_hours() -> int:
    """How long an unconfirmed registration holds its seats (config or environment, default 48)."""
    value = current_app.config.get("REGISTRATION_HOLD_HOURS") or os.environ.get("REGISTRATION_HOLD_HOURS")
    return int(value or DEFAULT_HOLD_HOURS)


def active_count(congress_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.congress_id == congress_id, Registration.status.in_(ACTIVE)
        )
    ) or 0


def window_state(congress: Congress, now: datetime | None = None) -> str:
    """``not_open``, ``open`` or ``closed`` (by the dates and the edition's status)."""
    now = now or utcnow()
    if not congress.is_public or congress.status == "archived":
        return "closed"
    if congress.registration_opens_at is None or now < congress.registration_opens_at:
        return "not_open"
    if congress.registration_closes_at is not None and now >= congress.registration_closes_at:
        return "closed"
    return "open"


def registration_state(congress: Congress, now: datetime | None = None) -> str:
    """``not_open``, ``open``, ``full`` or ``closed``."""
    state = window_state(congress, now)
    if state == "open" and congress.capacity is not None and active_count(congress.id) >= congress.capacity:
        return "full"
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


# --- validation --------------------------------------------------------------------------------

LIMITS = {"name": 200, "organisation": 200, "function": 200, "dietary": 500, "accessibility": 500}


def validate_data(congress: Congress, data: RegistrationData) -> dict[str, list[str]]:
    """Field errors (translated) for what a person entered; also normalises ``data`` in place."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: Any) -> None:
        errors.setdefault(name, []).append(str(message))

    for name, limit in LIMITS.items():
        value = (getattr(data, name) or "").strip()
        setattr(data, name, value)
        if len(value) > limit:
            add(name, _l("Use at most %(n)d characters.", n=limit))
    if not data.name:
        add("name", _l("This field is required."))
    try:
        data.email_key = normalise_email(data.email)
        data.email = data.email.strip()
        if len(data.email) > 254:
            add("email", _l("Use at most %(n)d characters.", n=254))
    except RegistrationError as exc:
        add("email", exc)
    if not data.consent_privacy:
        add("consent_privacy", _l("You must agree to the privacy statement to register."))
    known_sectors = {s.id for s in sectors(congress)}
    if data.sector_id is not None and data.sector_id not in known_sectors:
        add("sector", _l("Choose one of the options."))
    if known_sectors and data.sector_id is None:
        add("sector", _l("This field is required."))
    data.answers = clean_answers(congress, data.answers, add)
    return errors


@functools.cache
def _choosable_query() -> sa.Select:
    return sa.select(ProgrammeSession.id, ProgrammeSession.signup_round_id).where(
        ProgrammeSession.id.in_(sa.bindparam("ids", expanding=True)),
        ProgrammeSession.congress_id == sa.bindparam("congress_id"),
        ProgrammeSession.is_cancelled.is_(False),
        sa.or_(ProgrammeSession.signup_round_id.is_not(None), ProgrammeSession.signup_required.is_(True)),
    )


def _choose_sessions(congress: Congress, session_ids: Sequence[int]) -> list[int]:
    """The chosen session ids, checked: of this edition, open for sign-up, one per round."""
    ids = list(dict.fromkeys(int(i) for i in session_ids))
    if not ids:
        return []
    rows = dict(db.session.execute(_choosable_query(), {"ids": ids, "congress_id": congress.id}).all())
    if any(sid not in rows for sid in ids):
        raise RegistrationError(_l("This session cannot be chosen."), field="sessions")
    rounds = [rows[sid] for sid in ids if rows[sid] is not None]
    if len(rounds) != len(set(rounds)):
        raise RegistrationError(_l("Choose at most one session per round."), field="sessions")
    return ids


# --- seats (inside a write transaction) ---------------------------------------------------------


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
    from congress.core.models import Room

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


# --- registering ----------------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    loaded: Registration | None
    created: bool
    link: str
    # What the API answers, taken inside the transaction: (session id, status, waiting rank) per choice.
    enrolments: list[tuple[int, str, int | None]] | None = None
    status: str | None = None
    id: int | None = None
    role: str | None = None

    @property
    def registration(self) -> Registration:
        """The registration, loaded when first asked for (registering itself does not need it)."""
        if self.loaded is None:
            self.loaded = db.session.get(Registration, self.id)
        return self.loaded


@functools.cache
def _insert_registration(dialect: str) -> Any:
    # Nothing is stored (and no id returned) when the address is registered for the edition already.
    return insert_unless_exists(Registration, index_elements=["congress_id", "email_key"]).returning(
        Registration.__table__.c.id)


def register(
    congress: Congress,
    data: RegistrationData,
    session_ids: Sequence[int] = (),
    *,
    confirmed: bool = False,
    source: str = "form",
    role: str = BadgeRole.ATTENDEE.value,
    override: bool = False,
    ignore_window: bool = False,
    now: datetime | None = None,
    notify: bool = True,
) -> RegistrationResult:
    """Register someone for an edition and enrol them in the chosen sessions, in one transaction.

    A second registration with the same e-mail in the same edition creates nothing: the existing
    registration is returned with ``created=False`` (the caller decides what to tell whom).
    Raises :class:`RegistrationError` for invalid input, a closed window or a full edition.
    """
    errors = validate_data(congress, data)
    try:
        chosen = _choose_sessions(congress, session_ids)
    except RegistrationError as exc:
        errors.setdefault("sessions", []).append(str(exc))
    if errors:
        raise RegistrationError(_l("Some of what you entered is not valid."), code="invalid", errors=errors)
    email_key = data.email_key or normalise_email(data.email)
    congress_id = congress.id
    now = now or utcnow()
    limited = congress.capacity is not None
    # What needs no lock is done before taking it, so that the write lock (on SQLite the whole
    # database) is held only to count seats and store. A second registration of the same address
    # is found by the unique constraint on (edition, e-mail) when storing, and answered with the
    # first one, also when the window has closed or the edition is full since.
    if not ignore_window:
        state = window_state(congress, now)
        if state != "open":
            return _existing_or_raise(congress_id, email_key, RegistrationError(
                _l("Registration is not open yet.") if state == "not_open" else _l("Registration is closed."),
                code=state,
            ))
    nonce = secrets.token_urlsafe(24)
    secret = _secret_for_nonce(nonce)
    status = RegistrationStatus.CONFIRMED.value if confirmed else RegistrationStatus.PENDING.value
    locale = data.locale if data.locale in ("nl", "en") else "nl"
    row = {
        "congress_id": congress_id, "name": data.name, "email": data.email, "email_key": email_key,
        "organisation": data.organisation, "function": data.function, "sector_id": data.sector_id,
        "dietary": data.dietary, "accessibility": data.accessibility, "answers": data.answers,
        "consent_privacy": data.consent_privacy, "consent_attendee_list": data.consent_attendee_list,
        "consent_photos": data.consent_photos, "role": BadgeRole(role).value, "status": status, "locale": locale,
        "source": source, "manage_nonce": nonce, "manage_secret_hash": hash_secret(secret),
        "created_at": now, "updated_at": now, "confirmed_at": now if confirmed else None,
        "expires_at": None if confirmed else now + timedelta(hours=hold_hours()),
    }
    try:
        with write_transaction(keep_loaded=True):
            # With a capacity for the whole edition, the edition row is the lock for it (and registrations
            # of an edition are serialised); without one, only the chosen sessions are locked.
            if limited:
                _lock_congress(congress_id)
            _lock_sessions(chosen)
            if limited and not override and active_count(congress_id) >= congress.capacity:
                raise _EditionFull
            # Stored after the locks are taken, so that registrations are numbered in the order they
            # got their seats (the waiting list follows that order). Plain inserts: under the lock,
            # every statement counts (the ORM object is loaded only if a caller asks for it).
            facts = _seat_facts_of(chosen)
            seats = {session_id: _seat(facts[session_id], override=override) for session_id in chosen}
            registration_id = db.session.execute(_insert_registration(db.engine.dialect.name), row).scalar()
            if registration_id is None:
                raise _AlreadyRegistered
            if seats:
                db.session.execute(sa.insert(Enrolment.__table__).values([
                    {"registration_id": registration_id, "session_id": session_id, "round_id": seat.round_id,
                     "status": seat.status, "position": seat.position, "over_capacity": seat.over_capacity,
                     "created_at": now}
                    for session_id, seat in seats.items()]))
            stored = Ref("Registration", registration_id, congress_id)
            for session_id, seat in seats.items():
                if seat.over_capacity:
                    record("registration.enrolment_override", stored, session_id=session_id)
            record("registration.create", stored, source=source, status=status, sessions=chosen,
                   override=override or None)
            result = RegistrationResult(None, True, secret, status=status, id=registration_id, role=row["role"],
                                        enrolments=[(session_id, seat.status, seat.rank or None)
                                                    for session_id, seat in seats.items()])
            if notify:
                # Composed by the worker (see _registration_mail_context), not under the lock.
                queue_mail_later(data.email, "registration/confirmed" if confirmed else "registration/confirm",
                                 RenderedLater("registration", str(registration_id)), locale=locale,
                                 congress_id=congress_id,
                                 attachments=[_ticket(registration_id)] if confirmed else None)
        return result
    except _AlreadyRegistered:
        return _existing_or_raise(congress_id, email_key, RuntimeError("registration vanished"))
    except _EditionFull:
        return _existing_or_raise(congress_id, email_key, RegistrationError(_l("This edition is full."),
                                                                            code="full"))
    except IntegrityError as exc:
        # Another constraint than the address's (a sector deleted meanwhile …): rolled back.
        return _existing_or_raise(congress_id, email_key, exc)


class _AlreadyRegistered(Exception):
    pass


class _EditionFull(Exception):
    pass


def _existing_or_raise(congress_id: int, email_key: str, error: Exception) -> RegistrationResult:
    existing = _registration_by_email(congress_id, email_key)
    if existing is None:
        raise error
    return RegistrationResult(existing, False, manage_secret(existing))


@functools.cache
def _by_email_query() -> sa.Select:
    return sa.select(Registration).where(Registration.congress_id == sa.bindparam("congress_id"),
                                         Registration.email_key == sa.bindparam("email_key"))


def _registration_by_email(congress_id: int, email_key: str) -> Registration | None:
    return db.session.scalar(_by_email_query(), {"congress_id": congress_id, "email_key": email_key})


def _registration_mail_context(argument: str) -> dict[str, Any] | None:
    """The confirmation mail's context, rebuilt by the mail worker from the registration."""
    registration = db.session.get(Registration, int(argument)) if argument.isdigit() else None
    if registration is None or registration.email is None:
        return None
    secret = manage_secret(registration)
    return {"registration": registration, "congress": registration.congress,
            "link": external_url("registration.manage", secret=secret),
            "confirm_link": external_url("registration.confirm", secret=secret),
            "enrolments": _mail_enrolments(registration), "hours": hold_hours()}


register_context_builder("registration", _registration_mail_context)


def _mail_enrolments(registration: Registration) -> list[tuple[Enrolment, int | None]]:
    return [(e, waiting_rank(e)) for e in registration.enrolments]


def register_speaker(congress: Congress, *, name: str, email: str, organisation: str = "") -> Registration:
    """A confirmed speaker's registration: confirmed, role Spreker, no double opt-in; idempotent.

    Called by the call-for-proposals capability when a speaker confirms. An existing active
    registration of the e-mail becomes a confirmed speaker's registration.
    """
    email_key = normalise_email(email)
    congress_id = congress.id
    with write_transaction():
        _lock_congress(congress_id)
        existing = db.session.scalar(
            sa.select(Registration).where(Registration.congress_id == congress_id,
                                          Registration.email_key == email_key)
        )
        if existing is not None:
            changed = existing.role != BadgeRole.SPEAKER.value or existing.status != "confirmed"
            existing.role = BadgeRole.SPEAKER.value
            if existing.status == RegistrationStatus.PENDING.value:
                existing.status = RegistrationStatus.CONFIRMED.value
                existing.confirmed_at = utcnow()
                existing.expires_at = None
            if changed:
                record("registration.speaker", existing)
            return existing
    data = RegistrationData(name=(name or email).strip()[:200], email=email.strip(),
                            organisation=(organisation or "").strip()[:200], consent_privacy=True)
    # Not through register(): a speaker needs no sector, no answers to the edition's own questions, no
    # open window and no free place in the edition.
    return _register_speaker_without_sector(congress, data)


def _register_speaker_without_sector(congress: Congress, data: RegistrationData) -> Registration:
    """A confirmed speaker's registration, created directly (the form's requirements do not apply)."""
    email_key = normalise_email(data.email)
    congress_id = congress.id
    with write_transaction():
        _lock_congress(congress_id)
        existing = db.session.scalar(sa.select(Registration).where(
            Registration.congress_id == congress_id, Registration.email_key == email_key))
        if existing is not None:
            return existing
        now = utcnow()
        registration = Registration(
            congress_id=congress_id, name=data.name, email=data.email, email_key=email_key,
            organisation=data.organisation, consent_privacy=True, role=BadgeRole.SPEAKER.value,
            status=RegistrationStatus.CONFIRMED.value, confirmed_at=now, source="speaker", answers={},
        )
        secret = _new_link(registration)
        db.session.add(registration)
        db.session.flush()
        record("registration.create", registration, source="speaker", status=registration.status)
        congress = db.session.get(Congress, congress_id)
        queue_mail(registration.email, "registration/confirmed", locale=registration.locale,
                   congress_id=congress_id, registration=registration, congress=congress,
                   link=external_url("registration.manage", secret=secret), enrolments=[], hours=hold_hours(),
                   attachments=e_ticket(registration))
    return registration


def e_ticket(registration: Registration) -> list[RenderedLater]:
    """The e-ticket goes with the confirmation; the badges capability renders it in the mail worker
    (an attachment kind that no capability renders is left out)."""
    return [_ticket(registration.id)]


def _ticket(registration_id: int) -> RenderedLater:
    return RenderedLater("ticket", str(registration_id))


# --- life cycle -------------------------------------------------------------------------------------


def confirm(registration: Registration) -> bool:
    """The double opt-in. True when this call confirmed it (a conditional update: exactly once)."""
    registration_id = registration.id
    with write_transaction():
        done = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id, Registration.status == RegistrationStatus.PENDING.value)
            .values(status=RegistrationStatus.CONFIRMED.value, confirmed_at=utcnow(), expires_at=None)
        ).rowcount
        if done:
            registration = db.session.get(Registration, registration_id)
            db.session.refresh(registration)
            record("registration.confirm", registration)
            queue_mail(registration.email, "registration/confirmed", locale=registration.locale,
                       congress_id=registration.congress_id, registration=registration,
                       congress=registration.congress, link=manage_url(registration),
                       enrolments=_mail_enrolments(registration), hours=hold_hours(),
                       attachments=e_ticket(registration))
    return bool(done)


def cancel(registration: Registration, *, reason: str = "attendee", notify: bool = True) -> bool:
    """Cancel: the seats are freed and the waiting lists promoted in the same transaction."""
    registration_id = registration.id
    with write_transaction():
        session_ids = list(db.session.scalars(
            sa.select(Enrolment.session_id).where(Enrolment.registration_id == registration_id)))
        _lock_sessions(session_ids)
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.CANCELLED.value:
            return False
        registration.status = RegistrationStatus.CANCELLED.value
        registration.cancelled_at = utcnow()
        registration.expires_at = None
        registration.email_key = None
        for enrolment in list(registration.enrolments):
            registration.enrolments.remove(enrolment)
        db.session.flush()
        record("registration.cancel", registration, reason=reason)
        if notify and registration.email:
            queue_mail(registration.email, "registration/cancelled", locale=registration.locale,
                       congress_id=registration.congress_id, registration=registration,
                       congress=registration.congress, reason=reason,
                       register_link=external_url("registration.register", slug=registration.congress.slug))
        for session_id in sorted(set(session_ids)):
            promote_waiting_list(session_id)
    return True


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Release the seats of registrations not confirmed in time (the periodic job)."""
    now = now or utcnow()
    ids = list(db.session.scalars(
        sa.select(Registration.id).where(Registration.status == RegistrationStatus.PENDING.value,
                                         Registration.expires_at.is_not(None), Registration.expires_at <= now)
    ))
    end_transaction()  # no old snapshot held while cancelling
    expired = 0
    for registration_id in ids:
        registration = db.session.get(Registration, registration_id)
        # Re-checked inside cancel's transaction: a confirmation that came first wins.
        if registration is None or registration.status != RegistrationStatus.PENDING.value:
            continue
        if _cancel_if_still_pending(registration_id, now):
            expired += 1
    return expired


def _cancel_if_still_pending(registration_id: int, now: datetime) -> bool:
    with write_transaction():
        session_ids = list(db.session.scalars(
            sa.select(Enrolment.session_id).where(Enrolment.registration_id == registration_id)))
        _lock_sessions(session_ids)
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        if registration.status != RegistrationStatus.PENDING.value or registration.expires_at is None \
                or registration.expires_at > now:
            return False
        registration.status = RegistrationStatus.CANCELLED.value
        registration.cancelled_at = now
        registration.email_key = None
        registration.expires_at = None
        for enrolment in list(registration.enrolments):
            registration.enrolments.remove(enrolment)
        db.session.flush()
        record("registration.expire", registration)
        queue_mail(registration.email, "registration/cancelled", locale=registration.locale,
                   congress_id=registration.congress_id, registration=registration,
                   congress=registration.congress, reason="expired",
                   register_link=external_url("registration.register", slug=registration.congress.slug))
        for session_id in sorted(set(session_ids)):
            promote_waiting_list(session_id)
    return True


def change_sessions(registration: Registration, session_ids: Sequence[int], *, override: bool = False) -> None:
    """Change workshop choices. Unchanged choices keep their seat or waiting place; a freed seat goes to
    the first person waiting, in the same transaction."""
    congress = registration.congress
    chosen = _choose_sessions(congress, session_ids)
    registration_id = registration.id
    with write_transaction():
        current = list(db.session.scalars(
            sa.select(Enrolment.session_id).where(Enrolment.registration_id == registration_id)))
        _lock_sessions(set(current) | set(chosen))
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.CANCELLED.value:
            raise RegistrationError(_l("This registration has been cancelled."), code="cancelled")
        wanted = set(chosen)
        freed = []
        for enrolment in list(registration.enrolments):
            if enrolment.session_id not in wanted:
                freed.append(enrolment.session_id)
                registration.enrolments.remove(enrolment)
        db.session.flush()
        have = {e.session_id for e in registration.enrolments}
        added = []
        for session_id in chosen:
            if session_id not in have:
                enrolment = _enrol(registration, session_id, override=override)
                added.append((session_id, enrolment.status))
                if enrolment.over_capacity:
                    record("registration.enrolment_override", registration, session_id=session_id)
        if freed or added:
            record("registration.change_sessions", registration, removed=freed,
                   added=[sid for sid, _status in added])
        for session_id in sorted(freed):
            promote_waiting_list(session_id)


def move_enrolment(registration: Registration, session: ProgrammeSession, target: str, *,
                   override: bool = False) -> Enrolment | None:
    """Organisers: put someone in a session (``enrolled``), on its waiting list (``waitlisted``) or take
    them out (``none``). A seat beyond capacity needs ``override``, which is audited."""
    if target not in ("enrolled", "waitlisted", "none"):
        raise RegistrationError(_l("Choose one of the options."), field="target")
    registration_id, session_id = registration.id, session.id
    with write_transaction():
        others = list(db.session.scalars(sa.select(Enrolment.session_id).where(
            Enrolment.registration_id == registration_id, Enrolment.round_id == session.signup_round_id,
            Enrolment.round_id.is_not(None))))
        _lock_sessions({session_id, *others})
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        session = db.session.get(ProgrammeSession, session_id)
        if registration.status == RegistrationStatus.CANCELLED.value:
            raise RegistrationError(_l("This registration has been cancelled."), code="cancelled")
        freed: set[int] = set()
        existing = None
        for enrolment in list(registration.enrolments):
            same_round = session.signup_round_id is not None and enrolment.round_id == session.signup_round_id
            if enrolment.session_id == session_id:
                existing = enrolment
            elif same_round and target != "none":
                if enrolment.status == EnrolmentStatus.ENROLLED.value:
                    freed.add(enrolment.session_id)
                registration.enrolments.remove(enrolment)
        db.session.flush()
        result: Enrolment | None = existing
        if target == "none":
            if existing is not None:
                if existing.status == EnrolmentStatus.ENROLLED.value:
                    freed.add(session_id)
                registration.enrolments.remove(existing)
                result = None
        elif target == "enrolled":
            if existing is None or existing.status != EnrolmentStatus.ENROLLED.value:
                capacity = session.effective_capacity
                if capacity is not None and _enrolled_now(session_id) >= capacity and not override:
                    raise RegistrationError(
                        _l("This session is full. Tick the override to go over its capacity."),
                        code="session_full", field="override")
                if existing is not None:
                    registration.enrolments.remove(existing)
                    db.session.flush()
                result = _enrol(registration, session_id, override=override)
                if result.over_capacity:
                    record("registration.enrolment_override", registration, session_id=session_id)
        else:  # waitlisted
            if existing is None or existing.status != EnrolmentStatus.WAITLISTED.value:
                if existing is not None:
                    freed.add(session_id)
                    registration.enrolments.remove(existing)
                    db.session.flush()
                result = _enrol(registration, session_id, waitlist=True)
        record("registration.move", registration, session_id=session_id, target=target, override=override or None)
        db.session.flush()
        for sid in sorted(freed):
            promote_waiting_list(sid)
    return result


def update_details(registration: Registration, data: RegistrationData) -> None:
    """Change what someone entered (self-service and organisers); the e-mail stays unique."""
    congress = registration.congress
    errors = validate_data(congress, data)
    if errors:
        raise RegistrationError(_l("Some of what you entered is not valid."), errors=errors)
    email_key = normalise_email(data.email)
    registration_id = registration.id
    with write_transaction():
        _lock_congress(congress.id)
        registration = db.session.get(Registration, registration_id)
        if registration.email_key is not None and email_key != registration.email_key:
            taken = db.session.scalar(sa.select(Registration.id).where(
                Registration.congress_id == registration.congress_id, Registration.email_key == email_key))
            if taken:
                raise RegistrationError(_l("Another registration uses this e-mail address."), field="email",
                                        errors={"email": [str(_l("Another registration uses this e-mail address."))]})
            registration.email_key = email_key
        changed = []
        for name in ("name", "email", "organisation", "function", "sector_id", "dietary", "accessibility",
                     "answers", "consent_attendee_list", "consent_photos"):
            value = getattr(data, name)
            if getattr(registration, name) != value:
                setattr(registration, name, value)
                changed.append(name)
        if changed:
            record("registration.update", registration, fields=changed)


@transactional
def set_role(registration: Registration, role: str) -> None:
    role = BadgeRole(role).value
    if registration.role != role:
        old = registration.role
        registration.role = role
        record("registration.role", registration, old=old, new=role)


@transactional
def send_link(congress: Congress, email: str) -> None:
    """E-mail the personal link when the address has an active registration; silent otherwise (the caller
    answers the same either way)."""
    try:
        email_key = normalise_email(email)
    except RegistrationError:
        return
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.email_key == email_key))
    if registration is None:
        return
    record("registration.link_sent", registration)
    queue_mail(registration.email, "registration/link", locale=registration.locale, congress_id=congress.id,
               registration=registration, congress=congress, link=manage_url(registration))


@transactional
def new_link(registration: Registration) -> str:
    """Organisers: replace a (leaked) personal link by a new one and mail it."""
    secret = _new_link(registration)
    record("registration.link_replaced", registration)
    queue_mail(registration.email, "registration/link", locale=registration.locale,
               congress_id=registration.congress_id, registration=registration, congress=registration.congress,
               link=external_url("registration.manage", secret=secret))
    return secret


def personal_data(registration: Registration, locale: str = "nl") -> dict[str, Any]:
    """Everything stored about the person (the JSON download)."""
    question_labels = {str(q.id): q.label(locale) for q in questions(registration.congress)}
    return {
        "congress": registration.congress.slug,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "function": registration.function,
        "sector": registration.sector.name(locale) if registration.sector else None,
        "dietary_wishes": registration.dietary,
        "accessibility_needs": registration.accessibility,
        "answers": {question_labels.get(k, k): v for k, v in (registration.answers or {}).items()},
        "consents": {"privacy_statement": registration.consent_privacy,
                     "attendee_list": registration.consent_attendee_list, "photos": registration.consent_photos},
        "role": registration.role,
        "status": registration.status,
        "language": registration.locale,
        "created_at": registration.created_at.isoformat(),
        "confirmed_at": registration.confirmed_at.isoformat() if registration.confirmed_at else None,
        "cancelled_at": registration.cancelled_at.isoformat() if registration.cancelled_at else None,
        "sessions": [
            {"session": e.session.title, "start": e.session.starts_at.isoformat() if e.session.starts_at else None,
             "status": e.status, "position": waiting_rank(e)}
            for e in registration.enrolments
        ],
    }


def erase(registration: Registration) -> None:
    """Erase the person's data: the registration is cancelled (seats freed, waiting lists promoted) and
    anonymised; the row stays so that counts by status, sector and role stay right. Cancelling also
    puts the printed badge's code on the revocation list (badges capability)."""
    cancel(registration, reason="erased", notify=False)
    registration = db.session.get(Registration, registration.id)
    with write_transaction():
        registration = db.session.get(Registration, registration.id)
        registration.name = ERASED_NAME
        registration.email = ""
        registration.email_key = None
        registration.organisation = ""
        registration.function = ""
        registration.dietary = ""
        registration.accessibility = ""
        registration.answers = {}
        registration.consent_attendee_list = False
        registration.consent_photos = False
        registration.erased_at = utcnow()
        _new_link(registration)  # the old link stops working
        record("registration.erase", registration)


# --- settings per edition --------------------------------------------------------------------------


def ensure_default_sectors(congress: Congress) -> None:
    if sectors(congress):
        return
    for position, (nl, en) in enumerate(DEFAULT_SECTORS):
        db.session.add(Sector(congress_id=congress.id, name_nl=nl, name_en=en, position=position))
    db.session.flush()


@transactional
def save_sectors(congress: Congress, lines: list[tuple[str, str]]) -> None:
    """Replace the sector list (``(nl, en)`` pairs in order); sectors in use are kept and renamed."""
    current = {s.name_nl: s for s in sectors(congress)}
    keep = set()
    for position, (nl, en) in enumerate(lines):
        sector = current.get(nl)
        if sector is None:
            sector = Sector(congress_id=congress.id, name_nl=nl)
            db.session.add(sector)
        sector.name_en = en
        sector.position = position
        keep.add(nl)
    for name, sector in current.items():
        if name not in keep:
            db.session.delete(sector)  # registrations keep NULL
    record("registration.sectors", congress, congress_id=congress.id, sectors=[nl for nl, _en in lines])


@transactional
def save_window(congress: Congress, *, opens_at: datetime | None, closes_at: datetime | None,
                capacity: int | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise RegistrationError(_l("The closing moment must be after the opening moment."), field="closes_at")
    if capacity is not None and capacity < 0:
        raise RegistrationError(_l("Capacity cannot be negative."), field="capacity")
    congress.registration_opens_at = opens_at
    congress.registration_closes_at = closes_at
    congress.capacity = capacity
    record("registration.window", congress, congress_id=congress.id,
           opens_at=opens_at.isoformat() if opens_at else None,
           closes_at=closes_at.isoformat() if closes_at else None, capacity=capacity)


# --- hooks for the programme capability ----------------------------------------------------------


def seats_left_for_session(session: ProgrammeSession) -> int | None:
    """Seats left in a session open for sign-up (None: no sign-up or no limit), for programme pages."""
    if session.signup_round_id is None and not session.signup_required:
        return None
    capacity = session.effective_capacity
    if capacity is None:
        return None
    return max(capacity - enrolled_counts([session.id])[session.id]["enrolled"], 0)


def notify_enrolled_of_changes(congress: Congress, session_ids: list[int], version: Any = None) -> int:
    """E-mail the people enrolled in (or waiting for) sessions that changed in a published programme
    version, one message per person. Runs inside the caller's (publishing) transaction."""
    if not session_ids:
        return 0
    rows = db.session.execute(
        sa.select(Registration, ProgrammeSession)
        .join(Enrolment, Enrolment.registration_id == Registration.id)
        .join(ProgrammeSession, Enrolment.session_id == ProgrammeSession.id)
        .where(Registration.congress_id == congress.id, Registration.status.in_(ACTIVE),
               Enrolment.session_id.in_(session_ids))
        .order_by(Registration.id, ProgrammeSession.starts_at)
    ).all()
    by_person: dict[int, tuple[Registration, list[ProgrammeSession]]] = {}
    for registration, session in rows:
        by_person.setdefault(registration.id, (registration, []))[1].append(session)
    for registration, sessions_changed in by_person.values():
        if not registration.email:
            continue
        queue_mail(registration.email, "registration/sessions_changed", locale=registration.locale,
                   congress_id=congress.id, registration=registration, congress=congress,
                   sessions=sessions_changed, link=manage_url(registration))
    if by_person:
        record("registration.programme_change_mailed", congress, congress_id=congress.id,
               people=len(by_person), sessions=sorted(session_ids))
    return len(by_person)


def connect_programme_hooks() -> None:
    """Tell the programme capability about seats and enrolled people, where it offers the hooks."""
    from congress.programme import services as programme

    if hasattr(programme, "register_seats_left_provider"):
        programme.register_seats_left_provider(seats_left_for_session)
    if hasattr(programme, "register_changed_sessions_notifier"):
        programme.register_changed_sessions_notifier(notify_enrolled_of_changes)
