"""A registration's life: confirming, cancelling (and expiring), changing choices and details, erasing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import end_transaction, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.programme.models import ProgrammeSession
from congress.questions import queries as question_queries
from congress.registration.errors import RegistrationError
from congress.registration.links import _new_link, manage_url
from congress.registration.models import BadgeRole, Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from congress.registration.questions import questions
from congress.registration.registering import _mail_enrolments, e_ticket
from congress.registration.seats import (
    _enrol,
    _enrolled_now,
    _lock_congress,
    _lock_sessions,
    promote_edition_waiting_list,
    promote_waiting_list,
)
from congress.registration.signals import registration_cancelled, registration_confirmed, registration_erased
from congress.registration.state import ACTIVE, hold_hours, waiting_rank
from congress.registration.validation import RegistrationData, _choose_sessions, normalise_email, validate_data
from congress.urls import external_url

ERASED_NAME = "—"


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
            registration_confirmed.send(registration)
    return bool(done)


def cancel(registration: Registration, *, reason: str = "attendee", notify: bool = True) -> bool:
    """Cancel: the seats are freed and the waiting lists promoted in the same transaction."""
    return _cancel(registration.id, lambda r: r.status != RegistrationStatus.CANCELLED.value,
                   reason=reason, notify=notify, audit=("registration.cancel", {"reason": reason}))


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
    def still_pending(registration: Registration) -> bool:
        return (registration.status == RegistrationStatus.PENDING.value and registration.expires_at is not None
                and registration.expires_at <= now)

    return _cancel(registration_id, still_pending, reason="expired", notify=True, now=now,
                   audit=("registration.expire", {}))


def _cancel(registration_id: int, applies: Callable[[Registration], bool], *, reason: str, notify: bool,
            audit: tuple[str, dict[str, Any]], now: datetime | None = None) -> bool:
    """The one cancellation: when ``applies`` to the registration (read under the sessions' locks), it
    is cancelled, its seats freed and the waiting lists promoted, in one transaction. True when done."""
    with write_transaction():
        congress_id = db.session.scalar(sa.select(Registration.congress_id).where(Registration.id == registration_id))
        # The edition's lock first (its place may go to the first person waiting), then the sessions'.
        _lock_congress(congress_id)
        session_ids = list(db.session.scalars(
            sa.select(Enrolment.session_id).where(Enrolment.registration_id == registration_id)))
        _lock_sessions(session_ids)
        registration = db.session.get(Registration, registration_id)
        db.session.refresh(registration)
        if not applies(registration):
            return False
        held_place = registration.holds_place
        registration.status = RegistrationStatus.CANCELLED.value
        registration.waitlist_position = None
        registration.cancelled_at = now or utcnow()
        registration.expires_at = None
        registration.email_key = None
        for enrolment in list(registration.enrolments):
            registration.enrolments.remove(enrolment)
        db.session.flush()
        event, details = audit
        record(event, registration, **details)
        if notify and registration.email:
            queue_mail(registration.email, "registration/cancelled", locale=registration.locale,
                       congress_id=registration.congress_id, registration=registration,
                       congress=registration.congress, reason=reason,
                       register_link=external_url("registration.register", slug=registration.congress.slug))
        registration_cancelled.send(registration, reason=reason)
        for session_id in sorted(set(session_ids)):
            promote_waiting_list(session_id)
        if held_place:
            promote_edition_waiting_list(congress_id, now=now)
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
        if registration.status == RegistrationStatus.WAITLISTED.value:
            if not chosen:
                return
            raise RegistrationError(_l("You can choose workshops once you have a place in the congress."),
                                    code="waitlisted", field="sessions")
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
        if registration.status == RegistrationStatus.WAITLISTED.value:
            raise RegistrationError(_l("This person is on the edition's waiting list and holds no place yet."),
                                    code="waitlisted", field="target")
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
        for name in ("name", "email", "organisation", "function", "sector_id", "municipality_id", "dietary",
                     "accessibility", "answers", "consent_attendee_list", "consent_photos",
                     "consent_network"):
            value = getattr(data, name)
            if getattr(registration, name) != value:
                setattr(registration, name, value)
                changed.append(name)
        if changed:
            record("registration.update", registration, fields=changed)


@transactional
def set_network_consent(registration: Registration, consent: bool) -> bool:
    """Give or withdraw the consent to appear in the participants' network (its own consent, on the form
    and the personal page): withdrawn, the person leaves the list in this transaction. Answers whether
    anything changed."""
    registration = db.session.get(Registration, registration.id)
    if registration.consent_network == consent or registration.erased_at is not None:
        return False
    registration.consent_network = consent
    record("registration.update", registration, fields=["consent_network"])
    return True


@transactional
def set_role(registration: Registration, role: str) -> None:
    role = BadgeRole(role).value
    if registration.role != role:
        old = registration.role
        registration.role = role
        record("registration.role", registration, old=old, new=role)


def personal_data(registration: Registration, locale: str = "nl") -> dict[str, Any]:
    """Everything stored about the person (the JSON download)."""
    asked = {str(q.id): q for q in questions(registration.congress)}

    def answer(key: str, value: Any) -> tuple[str, Any]:
        # The question's label and the answer as the form showed it (an option's label, not its key).
        question = asked.get(key)
        return (key, value) if question is None else (question.label(locale),
                                                      question_queries.display(question, value, locale))

    return {
        "congress": registration.congress.slug,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "function": registration.function,
        "sector": registration.sector.name(locale) if registration.sector else None,
        "municipality": (f"{registration.municipality.name} ({registration.municipality.code})"
                         if registration.municipality else None),
        "dietary_wishes": registration.dietary,
        "accessibility_needs": registration.accessibility,
        "answers": dict(answer(k, v) for k, v in (registration.answers or {}).items()),
        "consents": {"privacy_statement": registration.consent_privacy,
                     "attendee_list": registration.consent_attendee_list, "photos": registration.consent_photos,
                     "participants_network": registration.consent_network},
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


def anonymise(registration: Registration, now: datetime) -> None:
    """Blank every personal field of the row (erasure on request, and retention after the edition);
    the row stays for the counts by status, sector and role, and its personal link stops working."""
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
    registration.consent_network = False
    registration.erased_at = now
    _new_link(registration)


def erase(registration: Registration) -> None:
    """Erase the person's data: the registration is cancelled (seats freed, waiting lists promoted) and
    anonymised; the row stays so that counts by status, sector and role stay right. Cancelling also
    puts the printed badge's code on the revocation list (badges capability)."""
    cancel(registration, reason="erased", notify=False)
    registration = db.session.get(Registration, registration.id)
    with write_transaction():
        registration = db.session.get(Registration, registration.id)
        registration_erased.send(registration)
        anonymise(registration, utcnow())
        record("registration.erase", registration)


def people_to_notify_of_changes(congress: Congress, session_ids: list[int]) -> int:
    """How many people :func:`notify_enrolled_of_changes` would e-mail (the publishing confirmation step)."""
    if not session_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Registration.id)))
        .join(Enrolment, Enrolment.registration_id == Registration.id)
        .where(Registration.congress_id == congress.id, Registration.status.in_(ACTIVE),
               Registration.email != "", Enrolment.session_id.in_(session_ids))
    ) or 0


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
