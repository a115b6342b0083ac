"""The rules of an evaluation: the mark, who may answer what, and when (plain functions, no HTTP)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from congress.checkin import queries as checkin
from congress.core.models import Congress
from congress.database import utcnow
from congress.evaluations.models import DEFAULT_CLOSE_DAYS, EvaluationResponse, EvaluationSettings
from congress.extensions import db
from congress.programme import queries as programme
from congress.programme.models import ProgrammeSession
from congress.registration.models import Registration

CONGRESS = "congress"


def mark(registration_id: int, session_id: int | None) -> str:
    """The keyed one-way mark of (registration, session or the whole congress): HMAC-SHA256 with a key
    derived from the application's secret. Without the secret it cannot be recomputed, so a table of
    marks names nobody."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hmac.new(secret, b"congress.evaluations.mark", hashlib.sha256).digest()
    subject = CONGRESS if session_id is None else f"session:{session_id}"
    return hmac.new(key, f"{registration_id}|{subject}".encode(), hashlib.sha256).hexdigest()


def close_days(congress: Congress) -> int:
    settings = db.session.get(EvaluationSettings, congress.id)
    return DEFAULT_CLOSE_DAYS if settings is None else settings.close_days


def congress_end(congress: Congress) -> datetime:
    """The end of the congress's last day (local midnight), in UTC."""
    return datetime.combine(congress.ends_on + timedelta(days=1), time(0, 0),
                            tzinfo=programme.zone(congress)).astimezone(UTC)


def closes_at(congress: Congress) -> datetime:
    """When the edition's evaluations close: ``close_days`` after the congress's last day."""
    return congress_end(congress) + timedelta(days=close_days(congress))


def opens_at(congress: Congress, session: ProgrammeSession | None) -> datetime:
    """A session's evaluation opens at its end; the whole congress's at the start of its last day."""
    if session is None:
        return congress_end(congress) - timedelta(days=1)
    return session.ends_at or session.starts_at or congress_end(congress)


@dataclass(frozen=True)
class Evaluable:
    """Something the attendee may evaluate: a session, or the whole congress (``session`` None)."""

    session: ProgrammeSession | None
    opens_at: datetime
    closes_at: datetime
    answered: bool

    @property
    def session_id(self) -> int | None:
        return None if self.session is None else self.session.id

    def state(self, now: datetime | None = None) -> str:
        """``not_yet``, ``open`` or ``closed``."""
        now = now or utcnow()
        if now < self.opens_at:
            return "not_yet"
        return "open" if now < self.closes_at else "closed"


def attended_sessions(registration: Registration) -> list[ProgrammeSession]:
    """The sessions this person was checked in at: scanned at the session's room, or — for a session
    whose room has no station — checked in at the door on or before that session's day (the door list
    holds one check-in per person per edition, so a later day has no scan of its own)."""
    congress = registration.congress
    sessions = [s for s in programme.all_sessions(congress) if s.starts_at is not None and not s.is_cancelled]
    in_room = checkin.sessions_checked_in(registration.id)
    with_station = {st.session_id for st in checkin.stations_of(congress) if st.session_id is not None}
    door = checkin.venue_checkins(congress, [registration.id]).get(registration.id)
    door_day = None if door is None else door.scanned_at.astimezone(programme.zone(congress)).date()
    attended = []
    for session in sessions:
        if session.id in in_room:
            attended.append(session)
        elif session.id not in with_station and door_day is not None:
            day = programme.local_day(session, congress)
            if day is not None and door_day <= day:
                attended.append(session)
    return attended


def was_at_congress(registration: Registration) -> bool:
    """Checked in at the door, or at any session: the whole-congress evaluation is theirs to give."""
    return bool(checkin.venue_checkins(registration.congress, [registration.id])
                or checkin.sessions_checked_in(registration.id))


def present_among(congress: Congress, registration_ids: Iterable[int]) -> set[int]:
    """Of these registrations, those checked in at the door or at any session (a batch; the same
    people :func:`was_at_congress` names one by one)."""
    wanted = set(registration_ids)
    return {c.registration_id for c in checkin.active_checkins(congress) if c.registration_id in wanted}


def evaluables(registration: Registration) -> list[Evaluable]:
    """What this person may evaluate, sessions in programme order, then the whole congress."""
    congress = registration.congress
    close = closes_at(congress)
    sessions: list[ProgrammeSession | None] = list(attended_sessions(registration))
    if sessions or was_at_congress(registration):
        sessions.append(None)
    marks = {mark(registration.id, s.id if s is not None else None): s for s in sessions}
    answered = set(db.session.scalars(sa.select(EvaluationResponse.mark).where(
        EvaluationResponse.mark.in_(list(marks) or [""]))))
    return [Evaluable(s, opens_at(congress, s), close, m in answered) for m, s in marks.items()]
