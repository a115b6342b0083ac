"""Registering: the form's and the API's registration, the speaker's, and the mail the worker composes."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from congress.audit.services import Ref, record
from congress.core.models import Congress
from congress.database import insert_unless_exists, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import RenderedLater, queue_mail, queue_mail_later
from congress.registration.errors import RegistrationError
from congress.registration.links import _new_link, _secret_for_nonce, manage_secret
from congress.registration.models import (
    AttendanceMode,
    BadgeRole,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
)
from congress.registration.seats import (
    Outcome,
    _edition_pool,
    _lock_congress,
    _lock_sessions,
    _seat,
    _seat_facts_of,
    decide,
    edition_waiting_rank,
)
from congress.registration.signals import registration_confirmed
from congress.registration.state import hold_hours, online_places, online_places_left, waiting_rank, window_state
from congress.registration.validation import RegistrationData, _choose_sessions, normalise_email, validate_data
from congress.tokens import hash_secret
from congress.urls import external_url


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
    # The place on the edition's waiting list (1: next), when the edition was full.
    waiting_rank: int | None = None

    def seat_counts(self) -> tuple[int, int]:
        """(workshop seats got, workshops whose waiting list was joined) by this registering."""
        statuses = [status for _, status, _ in self.enrolments or []]
        waiting = statuses.count(EnrolmentStatus.WAITLISTED.value)
        return len(statuses) - waiting, waiting

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
    Raises :class:`RegistrationError` for invalid input, a closed window or a full edition without a
    waiting list; a full edition with one puts the person at the end of it (status ``waitlisted``, no
    workshop seats, ``waiting_rank`` set).
    """
    errors = validate_data(congress, data)
    try:
        chosen = _choose_sessions(congress, session_ids)
    except RegistrationError as exc:
        errors.setdefault("sessions", []).append(str(exc))
    else:
        if chosen and data.attendance_mode == AttendanceMode.ONLINE.value:
            # Workshop seats are places in a room; online, every streamed session is open to join.
            errors.setdefault("sessions", []).append(str(_l(
                "Workshop places are for taking part in the venue; online you can join every streamed session.")))
    if errors:
        raise RegistrationError(_l("Some of what you entered is not valid."), code="invalid", errors=errors)
    email_key = data.email_key or normalise_email(data.email)
    congress_id = congress.id
    now = now or utcnow()
    online = data.attendance_mode == AttendanceMode.ONLINE.value
    limited = (online_places(congress_id)[1] if online else congress.capacity) is not None
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
        "municipality_id": data.municipality_id,
        "dietary": data.dietary, "accessibility": data.accessibility, "answers": data.answers,
        "consent_privacy": data.consent_privacy, "consent_attendee_list": data.consent_attendee_list,
        "consent_photos": data.consent_photos, "consent_network": data.consent_network,
        "attendance_mode": data.attendance_mode,
        "role": BadgeRole(role).value, "status": status, "locale": locale,
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
            # The edition's place, by the one seat rule (see seats.decide): a place, its waiting list or
            # refused. Someone waiting for the edition holds no workshop seats (chosen once promoted).
            place = (decide(_edition_pool(congress_id, email_key, data.attendance_mode), override=override)
                     if limited else None)
            if place is not None and place.outcome is Outcome.REFUSED:
                raise _EditionFull
            waiting = place is not None and place.outcome is Outcome.WAITLIST
            if waiting:
                row = {**row, "status": RegistrationStatus.WAITLISTED.value, "expires_at": None,
                       "waitlist_position": place.position}
                chosen = []
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
            status = row["status"]
            record("registration.create", stored, source=source, status=status, sessions=chosen,
                   override=override or None, waitlist_position=row.get("waitlist_position"))
            if confirmed and not waiting and registration_confirmed.receivers:
                # Loaded only for someone listening: registering itself keeps to plain inserts.
                registration_confirmed.send(db.session.get(Registration, registration_id))
            result = RegistrationResult(None, True, secret, status=status, id=registration_id, role=row["role"],
                                        enrolments=[(session_id, seat.status, seat.rank or None)
                                                    for session_id, seat in seats.items()],
                                        waiting_rank=place.rank if waiting else None)
            if notify and waiting:
                queue_mail_later(data.email, "registration/waitlisted",
                                 RenderedLater("registration", str(registration_id)), locale=locale,
                                 congress_id=congress_id)
            elif notify:
                # Composed by the worker (see mail_context), not under the lock.
                queue_mail_later(data.email, "registration/confirmed" if confirmed else "registration/confirm",
                                 RenderedLater("registration", str(registration_id)), locale=locale,
                                 congress_id=congress_id,
                                 attachments=[_ticket(registration_id)] if confirmed else None)
        return result
    except _AlreadyRegistered:
        return _existing_or_raise(congress_id, email_key, RuntimeError("registration vanished"))
    except _EditionFull:
        if not online and online_places_left(congress_id) != 0:
            message = _l("The venue is full, but you can still take part online.")
            return _existing_or_raise(congress_id, email_key, RegistrationError(
                message, field="attendance_mode", errors={"attendance_mode": [str(message)]}))
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


def mail_context(argument: str) -> dict[str, Any] | None:
    """The confirmation mail's context, rebuilt by the mail worker from the registration (the worker asks
    ``mail.signals.context_wanted`` for the kind ``registration``; :mod:`.receivers` answers with this)."""
    registration = db.session.get(Registration, int(argument)) if argument.isdigit() else None
    if registration is None or registration.email is None:
        return None
    secret = manage_secret(registration)
    return {"registration": registration, "congress": registration.congress,
            "link": external_url("registration.manage", secret=secret),
            "confirm_link": external_url("registration.confirm", secret=secret),
            "enrolments": _mail_enrolments(registration), "hours": hold_hours(),
            "waiting_rank": edition_waiting_rank(registration)}


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
            # A speaker needs no free place: off the edition's waiting list, confirmed.
            if existing.status in (RegistrationStatus.PENDING.value, RegistrationStatus.WAITLISTED.value):
                existing.status = RegistrationStatus.CONFIRMED.value
                existing.confirmed_at = utcnow()
                existing.expires_at = None
                existing.waitlist_position = None
                db.session.flush()
                registration_confirmed.send(existing)
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
        registration_confirmed.send(registration)
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
