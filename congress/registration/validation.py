"""What a person enters (:class:`RegistrationData`), checked: fields, e-mail address, chosen sessions."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from congress.core.models import Congress
from congress.extensions import db
from congress.municipalities import queries as municipalities
from congress.programme.models import ProgrammeSession
from congress.registration.errors import RegistrationError
from congress.registration.models import AttendanceMode, EditionSettings
from congress.registration.questions import clean_answers
from congress.registration.state import sectors


@dataclass
class RegistrationData:
    """What a person enters (form, API or organiser)."""

    name: str
    email: str
    organisation: str = ""
    function: str = ""
    sector_id: int | None = None
    municipality_id: int | None = None
    dietary: str = ""
    accessibility: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    consent_privacy: bool = False
    consent_attendee_list: bool = False
    consent_photos: bool = False
    consent_network: bool = False
    attendance_mode: str = "in_person"  # AttendanceMode: "in_person" or "online"
    locale: str = "nl"
    email_key: str = ""  # the normalised e-mail, set by validate_data


def normalise_email(email: str) -> str:
    """The e-mail's syntax checked (email-validator) and its canonical, lower-case form."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise RegistrationError(_l("Enter a valid e-mail address."), field="email") from None
    return result.normalized.lower()


LIMITS = {"name": 200, "organisation": 200, "function": 200, "dietary": 500, "accessibility": 500}
EMAIL_LIMIT = 254  # the longest address (RFC 5321's path, less its brackets)


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
        if len(data.email) > EMAIL_LIMIT:
            add("email", _l("Use at most %(n)d characters.", n=EMAIL_LIMIT))
    except RegistrationError as exc:
        add("email", exc)
    if not data.consent_privacy:
        add("consent_privacy", _l("You must agree to the privacy statement to register."))
    # A hidden sector is not offered, but registrations that chose it keep it valid.
    known_sectors = {s.id for s in sectors(congress)}
    if data.sector_id is not None and data.sector_id not in known_sectors:
        add("sector", _l("Choose one of the options."))
    if any(not s.hidden for s in sectors(congress)) and data.sector_id is None:
        add("sector", _l("This field is required."))
    if data.municipality_id is not None and not municipalities.exists(data.municipality_id):
        add("municipality", _l("Choose one of the options."))
    data.answers = clean_answers(congress, data.answers, add)
    if data.attendance_mode not in {mode.value for mode in AttendanceMode}:
        add("attendance_mode", _l("Choose one of the options."))
    elif data.attendance_mode == AttendanceMode.ONLINE.value and not db.session.scalar(
            sa.select(EditionSettings.online_places).where(EditionSettings.congress_id == congress.id)):
        add("attendance_mode", _l("This edition has no online places."))
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
