"""Editing sessions and speakers, with per-track rights."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts.models import User
from congress.accounts.permissions import managed_track_ids, manages_everything
from congress.audit.services import record
from congress.core.models import Congress, Person, Room, Track
from congress.database import transactional
from congress.extensions import db
from congress.programme.errors import NotAllowed, ProgrammeError
from congress.programme.models import ProgrammeSession, SessionFormat, SignupRound
from congress.programme.reading import LANGUAGES, zone
from congress.programme.rights import can_edit_session


@dataclasses.dataclass
class SessionData:
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    abstract: str = ""
    # The English title and abstract (optional; English readers see the Dutch without them).
    title_en: str = ""
    abstract_en: str = ""
    format: str = SessionFormat.WORKSHOP.value
    language: str = "nl"
    target_audience: str = ""
    track_id: int | None = None
    room_id: int | None = None
    capacity: int | None = None
    signup_round_id: int | None = None
    signup_required: bool = False
    is_cancelled: bool = False
    speaker_ids: list[int] = dataclasses.field(default_factory=list)
    stream_url: str = ""  # a stream or meeting link, shown to registrants only


STREAM_URL_LIMIT = 500


def clean_stream_url(value: str) -> str:
    """A stream or meeting link as organisers paste it: empty, or an https URL with a host, at most 500
    characters, without spaces or control characters; else a ProgrammeError next to ``stream_url``."""
    url = (value or "").strip()
    if not url:
        return ""
    if len(url) > STREAM_URL_LIMIT:
        raise ProgrammeError(_("Use at most %(n)d characters.", n=STREAM_URL_LIMIT), "stream_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme != "https" or not host or any(c.isspace() or ord(c) < 32 for c in url):
        raise ProgrammeError(_("Enter a link that starts with https://."), "stream_url")
    return url


def _check_times(congress: Congress, starts_at: datetime | None, ends_at: datetime | None,
                 room: Room | None, exclude_id: int | None) -> None:
    if (starts_at is None) != (ends_at is None):
        raise ProgrammeError(_("Give both a start and an end time, or neither."), "ends_at")
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        raise ProgrammeError(_("The session must end after it starts."), "ends_at")
    tz = zone(congress)
    if not (congress.starts_on <= starts_at.astimezone(tz).date() <= congress.ends_on):
        raise ProgrammeError(_("The start lies outside the congress days."), "starts_at")
    if not (congress.starts_on <= (ends_at - timedelta(microseconds=1)).astimezone(tz).date() <= congress.ends_on):
        raise ProgrammeError(_("The end lies outside the congress days."), "ends_at")
    if room is not None:
        clash = db.session.scalar(
            sa.select(ProgrammeSession)
            .where(
                ProgrammeSession.room_id == room.id,
                ProgrammeSession.is_cancelled.is_(False),
                ProgrammeSession.starts_at < ends_at,
                ProgrammeSession.ends_at > starts_at,
                ProgrammeSession.id != (exclude_id or 0),
            )
            .limit(1)
        )
        if clash is not None:
            raise ProgrammeError(
                _("%(room)s is already taken at that time by “%(title)s”.", room=room.name, title=clash.title),
                "room_id",
            )


def _resolve(congress: Congress, data: SessionData) -> tuple[Track | None, Room | None, SignupRound | None]:
    track = room = signup_round = None
    if data.track_id is not None:
        track = db.session.get(Track, data.track_id)
        if track is None or track.congress_id != congress.id:
            raise ProgrammeError(_("Unknown track."), "track_id")
    if data.room_id is not None:
        room = db.session.get(Room, data.room_id)
        if room is None or room.congress_id != congress.id:
            raise ProgrammeError(_("Unknown room."), "room_id")
    if data.signup_round_id is not None:
        signup_round = db.session.get(SignupRound, data.signup_round_id)
        if signup_round is None or signup_round.congress_id != congress.id:
            raise ProgrammeError(_("Unknown sign-up round."), "signup_round_id")
    if data.format not in {f.value for f in SessionFormat}:
        raise ProgrammeError(_("Unknown format."), "format")
    if data.language not in LANGUAGES:
        raise ProgrammeError(_("Unknown language."), "language")
    if data.capacity is not None and data.capacity < 0:
        raise ProgrammeError(_("The capacity cannot be negative."), "capacity")
    if not data.title.strip():
        raise ProgrammeError(_("Give a title."), "title")
    if len(data.title.strip()) > 250 or len(data.title_en.strip()) > 250:
        raise ProgrammeError(_("A title is at most 250 characters."), "title_en" if len(data.title.strip()) <= 250
                             else "title")
    return track, room, signup_round


@transactional
def save_session(congress: Congress, session: ProgrammeSession | None, data: SessionData,
                 user: User) -> ProgrammeSession:
    """Create or update a session. Track managers may only touch (and assign) their own tracks."""
    if session is not None and (session.congress_id != congress.id or not can_edit_session(user, session)):
        raise NotAllowed()
    track, room, signup_round = _resolve(congress, data)
    if not manages_everything(user) and (track is None or track.id not in managed_track_ids(user)):
        raise ProgrammeError(_("You can only place sessions in your own tracks."), "track_id")
    _check_times(congress, data.starts_at, data.ends_at, room if not data.is_cancelled else None,
                 session.id if session is not None else None)
    speakers = []
    for person_id in dict.fromkeys(data.speaker_ids):
        person = db.session.get(Person, person_id)
        if person is None:
            raise ProgrammeError(_("Unknown speaker."), "speaker_ids")
        speakers.append(person)
    created = session is None
    if session is None:
        session = ProgrammeSession(congress=congress)
        db.session.add(session)
    session.title = data.title.strip()
    session.abstract = data.abstract.strip()
    session.title_en = data.title_en.strip()
    session.abstract_en = data.abstract_en.strip()
    session.format = data.format
    session.language = data.language
    session.target_audience = data.target_audience.strip()
    session.track = track
    session.room = room
    session.starts_at = data.starts_at
    session.ends_at = data.ends_at
    session.capacity = data.capacity
    session.signup_round = signup_round
    session.signup_required = data.signup_required
    session.is_cancelled = data.is_cancelled
    session.stream_url = clean_stream_url(data.stream_url)
    session.speakers = speakers
    db.session.flush()
    record("programme.session.create" if created else "programme.session.update", session,
           title=session.title)
    return session


@transactional
def move_session(session: ProgrammeSession, user: User, *, room_id: int | None, starts_at: datetime) -> None:
    """Place a session in another room and/or time, keeping its duration (the grid)."""
    if not can_edit_session(user, session):
        raise NotAllowed()
    congress = session.congress
    duration = (session.ends_at - session.starts_at) if session.starts_at and session.ends_at else timedelta(hours=1)
    room = None
    if room_id is not None:
        room = db.session.get(Room, room_id)
        if room is None or room.congress_id != congress.id:
            raise ProgrammeError(_("Unknown room."), "room_id")
    ends_at = starts_at + duration
    _check_times(congress, starts_at, ends_at, room if not session.is_cancelled else None, session.id)
    before = (session.room.name if session.room else "", session.starts_at)
    session.room = room
    session.starts_at = starts_at
    session.ends_at = ends_at
    db.session.flush()
    record("programme.session.move", session, title=session.title, room_before=before[0],
           start_before=before[1].isoformat() if before[1] else None, room=room.name if room else "",
           start=starts_at.isoformat())


@transactional
def delete_session(session: ProgrammeSession, user: User) -> None:
    if not can_edit_session(user, session):
        raise NotAllowed()
    record("programme.session.delete", session, title=session.title)
    db.session.delete(session)
    db.session.flush()


def all_people() -> list[Person]:
    """Everybody who can be a speaker, by name (the session form)."""
    return list(db.session.scalars(sa.select(Person).order_by(Person.name)))


@transactional
def add_speaker(name: str, email: str | None = None, organisation: str = "") -> Person:
    email = (email or "").strip().lower() or None
    if email:
        existing = db.session.scalar(sa.select(Person).where(Person.email == email).limit(1))
        if existing is not None:
            return existing
    person = Person(name=name.strip(), email=email, organisation=organisation.strip())
    db.session.add(person)
    db.session.flush()
    record("programme.speaker.create", person, name=person.name)
    return person
