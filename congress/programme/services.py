"""The programme's business rules: editing with per-track rights, conflict detection, publishing
numbered versions with a changelog, and reading the public programme with its filters.

Plain functions over values: no ``request`` here. Views and the API call them; so do tests.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from congress.accounts.models import Role, RoleGrant, User
from congress.audit.services import record
from congress.core.models import Congress, Person, Room, Track
from congress.database import lock_for_update, transactional, utcnow
from congress.extensions import db
from congress.programme.models import ProgrammeSession, ProgrammeVersion, SessionFormat, SignupRound

# --------------------------------------------------------------------------------------------
# Hooks other capabilities register (registration: enrolled attendees, seats left).
# --------------------------------------------------------------------------------------------

ChangedSessionsNotifier = Callable[[Congress, list[int], ProgrammeVersion], None]
_changed_session_notifiers: list[ChangedSessionsNotifier] = []
_seats_left_provider: list[Callable[[ProgrammeSession], int | None]] = []


def register_changed_sessions_notifier(notifier: ChangedSessionsNotifier) -> ChangedSessionsNotifier:
    """Called after a version is published with the ids of the sessions that changed in it.

    The registration capability registers a function that e-mails the attendees enrolled in those
    sessions (it runs inside the publishing transaction; queue mail with ``queue_mail``).
    Usable as a decorator; registering the same function twice has no effect.
    """
    if notifier not in _changed_session_notifiers:
        _changed_session_notifiers.append(notifier)
    return notifier


def unregister_changed_sessions_notifier(notifier: ChangedSessionsNotifier) -> None:
    if notifier in _changed_session_notifiers:
        _changed_session_notifiers.remove(notifier)


def register_seats_left_provider(provider: Callable[[ProgrammeSession], int | None]) -> None:
    """The registration capability tells session pages how many seats are left."""
    _seats_left_provider[:] = [provider]


def seats_left(session: ProgrammeSession) -> int | None:
    if _seats_left_provider:
        return _seats_left_provider[0](session)
    return None


def notify_changed_sessions(congress: Congress, session_ids: list[int], version: ProgrammeVersion) -> None:
    for notifier in list(_changed_session_notifiers):
        notifier(congress, session_ids, version)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def zone(congress: Congress) -> ZoneInfo:
    return ZoneInfo(congress.timezone)


class PublishedSession:
    """A session as the last published version shows it (time, place, status and details from the
    version's snapshot; anything else, such as SEQUENCE and DTSTAMP, from the live session)."""

    def __init__(self, live: ProgrammeSession, state: dict[str, Any], rooms: dict[int, Room],
                 tracks: dict[int, Track], people: dict[int, Person]) -> None:
        details = state["details"]
        self._live = live
        self.id = live.id
        self.title = state["title"]
        self.starts_at = datetime.fromisoformat(state["starts_at"])
        self.ends_at = datetime.fromisoformat(state["ends_at"]) if state["ends_at"] else None
        self.room_id = state["room_id"]
        self.room = rooms.get(state["room_id"]) if state["room_id"] is not None else None
        self.is_cancelled = bool(state["cancelled"])
        self.abstract, self.format, self.language, self.track_id = details[0], details[1], details[2], details[3]
        self.track = tracks.get(self.track_id) if self.track_id is not None else None
        self.target_audience, self.capacity = details[4], details[5]
        self.speakers = [people[pid] for pid in details[6] if pid in people]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._live, name)

    @property
    def effective_capacity(self) -> int | None:
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room is not None else None


def public_sessions(congress: Congress) -> list[Any]:
    """The programme as last published (empty before the first version): what the public sees."""
    version = latest_version(congress)
    if version is None or not version.snapshot:
        return []
    live = {
        s.id: s
        for s in db.session.scalars(
            sa.select(ProgrammeSession).where(
                ProgrammeSession.congress_id == congress.id,
                ProgrammeSession.id.in_([int(k) for k in version.snapshot]),
            )
        )
    }
    person_ids = {pid for state in version.snapshot.values() for pid in state["details"][6]}
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))}
    rooms = {r.id: r for r in congress.rooms}
    tracks = {t.id: t for t in congress.tracks}
    sessions = [
        PublishedSession(live[int(key)], state, rooms, tracks, people)
        for key, state in version.snapshot.items()
        if int(key) in live and state["starts_at"]
    ]
    sessions.sort(key=lambda s: (s.starts_at, s.room_id or 0, s.id))
    return sessions


def all_sessions(congress: Congress) -> list[ProgrammeSession]:
    """Scheduled and unscheduled sessions (the editor)."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.congress_id == congress.id)
            .options(
                selectinload(ProgrammeSession.speakers),
                selectinload(ProgrammeSession.track),
                selectinload(ProgrammeSession.room),
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.room_id, ProgrammeSession.id)
        )
    )


def local_day(session: ProgrammeSession, congress: Congress) -> date | None:
    if session.starts_at is None:
        return None
    return session.starts_at.astimezone(zone(congress)).date()


def congress_days(congress: Congress) -> list[date]:
    days = []
    day = congress.starts_on
    while day <= congress.ends_on:
        days.append(day)
        day += timedelta(days=1)
    return days


def local_datetime(congress: Congress, day: date, at: time) -> datetime:
    """A wall-clock time on a congress day, as an aware datetime in UTC."""
    return datetime.combine(day, at, tzinfo=zone(congress)).astimezone(UTC)


@dataclasses.dataclass(frozen=True)
class ProgrammeFilter:
    """The public programme's filters (kept in the URL). Unknown values are ignored."""

    day: date | None = None
    track_ids: tuple[int, ...] = ()
    formats: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.track_ids or self.formats or self.languages)

    def matches(self, session: ProgrammeSession, congress: Congress) -> bool:
        if self.day is not None and local_day(session, congress) != self.day:
            return False
        if self.track_ids and session.track_id not in self.track_ids:
            return False
        if self.formats and session.format not in self.formats:
            return False
        return not (self.languages and session.language not in self.languages)

    def query_args(self, *, with_day: bool = True) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if with_day and self.day is not None:
            args["day"] = self.day.isoformat()
        if self.track_ids:
            args["track"] = list(self.track_ids)
        if self.formats:
            args["format"] = list(self.formats)
        if self.languages:
            args["language"] = list(self.languages)
        return args


class BadFilter(ValueError):
    """A malformed filter value (answered with 400, never 500)."""


LANGUAGES = ("nl", "en")


def parse_filter(congress: Congress, args: Any) -> ProgrammeFilter:
    """Read filters from a MultiDict. A malformed ``day`` raises :class:`BadFilter`; unknown tracks,
    formats and languages are dropped (the unfiltered programme)."""
    day = None
    raw_day = (args.get("day") or "").strip()
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError as exc:
            raise BadFilter(raw_day) from exc
        if len(raw_day) != 10:
            raise BadFilter(raw_day)
        if day not in congress_days(congress):
            day = None
    known_tracks = {t.id for t in congress.tracks}
    track_ids = []
    for value in args.getlist("track"):
        if value.isdigit() and int(value) in known_tracks and int(value) not in track_ids:
            track_ids.append(int(value))
    formats = [f for f in dict.fromkeys(args.getlist("format")) if f in {x.value for x in SessionFormat}]
    languages = [lang for lang in dict.fromkeys(args.getlist("language")) if lang in LANGUAGES]
    return ProgrammeFilter(day=day, track_ids=tuple(sorted(track_ids)), formats=tuple(formats),
                           languages=tuple(languages))


def filtered_sessions(congress: Congress, flt: ProgrammeFilter) -> list[Any]:
    return [s for s in public_sessions(congress) if flt.matches(s, congress)]


def group_by_day(sessions: Iterable[ProgrammeSession], congress: Congress) -> list[tuple[date, list]]:
    days: dict[date, list[ProgrammeSession]] = {}
    for s in sessions:
        day = local_day(s, congress)
        if day is not None:
            days.setdefault(day, []).append(s)
    return sorted(days.items())


@dataclasses.dataclass
class GridCell:
    rowspan: int
    sessions: list[ProgrammeSession]


@dataclasses.dataclass
class GridRow:
    starts_at: datetime
    cells: list[GridCell | None]  # None: covered by a cell above (rowspan)


SLOT = timedelta(minutes=15)


def day_grid(congress: Congress, day: date, sessions: list[ProgrammeSession], rooms: list[Room],
             *, min_hours: tuple[int, int] = (9, 17)) -> list[GridRow]:
    """Rows of 15 minutes × one column per room; a session occupies one cell with a rowspan.

    Sessions that overlap in one room share the first one's cell (the editor marks the conflict).
    """
    tz = zone(congress)
    todays = [s for s in sessions if local_day(s, congress) == day and s.ends_at is not None]
    start = local_datetime(congress, day, time(min_hours[0]))
    end = local_datetime(congress, day, time(min_hours[1]))
    for s in todays:
        start = min(start, s.starts_at)
        end = max(end, s.ends_at)
    # Align to the slot in local time.
    local_start = start.astimezone(tz)
    start = start - timedelta(minutes=local_start.minute % 15, seconds=local_start.second)
    slots = []
    t = start
    while t < end:
        slots.append(t)
        t += SLOT
    room_index = {room.id: i for i, room in enumerate(rooms)}
    grid: list[list[GridCell | None | bool]] = [[False] * len(rooms) for _ in slots]
    by_room: dict[int, list[ProgrammeSession]] = {}
    for s in todays:
        if s.room_id in room_index:
            by_room.setdefault(s.room_id, []).append(s)
    for room_id, items in by_room.items():
        col = room_index[room_id]
        items.sort(key=lambda s: s.starts_at)
        current: GridCell | None = None
        current_end: datetime | None = None
        current_row = 0
        for s in items:
            row = max(int((s.starts_at - start) / SLOT), 0)
            if current is not None and current_end is not None and s.starts_at < current_end:
                current.sessions.append(s)
                if s.ends_at > current_end:
                    current_end = s.ends_at
                    current.rowspan = max(1, -(-int((current_end - slots[current_row]).total_seconds()) // 900))
                continue
            span = max(1, -(-int((s.ends_at - slots[row]).total_seconds()) // 900))
            current = GridCell(rowspan=span, sessions=[s])
            current_end, current_row = s.ends_at, row
            grid[row][col] = current
        for r, cells in enumerate(grid):
            cell = cells[col]
            if isinstance(cell, GridCell):
                for covered in range(r + 1, min(r + cell.rowspan, len(slots))):
                    grid[covered][col] = None
    rows = []
    for r, slot in enumerate(slots):
        rows.append(GridRow(starts_at=slot, cells=[
            (GridCell(rowspan=1, sessions=[]) if cell is False else cell) for cell in grid[r]
        ]))
    return rows


def speakers_of(congress: Congress) -> list[Person]:
    """The speakers of the published programme."""
    people = {p.id: p for s in public_sessions(congress) for p in s.speakers}
    return sorted(people.values(), key=lambda p: (p.name, p.id))


def sessions_of_speaker(congress: Congress, person: Person) -> list[Any]:
    return [s for s in public_sessions(congress) if any(p.id == person.id for p in s.speakers)]


def versions(congress: Congress) -> list[ProgrammeVersion]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeVersion)
            .where(ProgrammeVersion.congress_id == congress.id)
            .order_by(ProgrammeVersion.number.desc())
        )
    )


def latest_version(congress: Congress) -> ProgrammeVersion | None:
    return db.session.scalar(
        sa.select(ProgrammeVersion)
        .where(ProgrammeVersion.congress_id == congress.id)
        .order_by(ProgrammeVersion.number.desc())
        .limit(1)
    )


# --------------------------------------------------------------------------------------------
# Rights
# --------------------------------------------------------------------------------------------


def manages_everything(user: User) -> bool:
    return user.has_role(Role.ORGANISER.value)


def can_edit_session(user: User, session: ProgrammeSession) -> bool:
    if manages_everything(user):
        return True
    return session.track_id is not None and session.track_id in user.managed_track_ids()


def editable_tracks(user: User, congress: Congress) -> list[Track]:
    if manages_everything(user):
        return list(congress.tracks)
    mine = user.managed_track_ids()
    return [t for t in congress.tracks if t.id in mine]


def can_manage_congress(user: User, congress: Congress) -> bool:
    """Organisers everywhere; track managers in editions where they manage a track."""
    return manages_everything(user) or bool(editable_tracks(user, congress))


# --------------------------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------------------------


class ProgrammeError(ValueError):
    """A refused change; ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PermissionError):
    pass


@dataclasses.dataclass
class SessionData:
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    abstract: str = ""
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
    return track, room, signup_round


@transactional
def save_session(congress: Congress, session: ProgrammeSession | None, data: SessionData,
                 user: User) -> ProgrammeSession:
    """Create or update a session. Track managers may only touch (and assign) their own tracks."""
    if session is not None and (session.congress_id != congress.id or not can_edit_session(user, session)):
        raise NotAllowed()
    track, room, signup_round = _resolve(congress, data)
    if not manages_everything(user) and (track is None or track.id not in user.managed_track_ids()):
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


@transactional
def save_track(congress: Congress, track: Track | None, *, name_nl: str, name_en: str, colour: str,
               description_nl: str = "", description_en: str = "", manager_ids: Iterable[int] = ()) -> Track:
    created = track is None
    if track is None:
        track = Track(congress=congress, position=len(congress.tracks))
        db.session.add(track)
    track.name_nl, track.name_en = name_nl.strip(), name_en.strip()
    track.colour = colour
    track.description_nl, track.description_en = description_nl.strip(), description_en.strip()
    db.session.flush()
    wanted = set(manager_ids)
    current = {
        g.user_id: g
        for g in db.session.scalars(
            sa.select(RoleGrant).where(RoleGrant.role == Role.TRACK_MANAGER.value, RoleGrant.track_id == track.id)
        )
    }
    for user_id, grant in current.items():
        if user_id not in wanted:
            db.session.delete(grant)
    for user_id in wanted - set(current):
        if db.session.get(User, user_id) is not None:
            db.session.add(RoleGrant(user_id=user_id, role=Role.TRACK_MANAGER.value, track_id=track.id))
    db.session.flush()
    record("programme.track.create" if created else "programme.track.update", track, name=track.name_nl,
           managers=sorted(wanted))
    return track


def track_manager_ids(track: Track) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(RoleGrant.user_id).where(RoleGrant.role == Role.TRACK_MANAGER.value,
                                               RoleGrant.track_id == track.id)
        )
    )


@transactional
def save_room(congress: Congress, room: Room | None, *, name: str, capacity: int, accessibility_notes: str = "",
              available_from: datetime | None = None, available_until: datetime | None = None) -> Room:
    if capacity < 0:
        raise ProgrammeError(_("The capacity cannot be negative."), "capacity")
    if available_from and available_until and available_until <= available_from:
        raise ProgrammeError(_("The room must become unavailable after it becomes available."), "available_until")
    created = room is None
    if room is None:
        room = Room(congress=congress, position=len(congress.rooms))
        db.session.add(room)
    room.name = name.strip()
    room.capacity = capacity
    room.accessibility_notes = accessibility_notes.strip()
    room.available_from, room.available_until = available_from, available_until
    db.session.flush()
    record("programme.room.create" if created else "programme.room.update", room, name=room.name)
    return room


@transactional
def save_signup_round(congress: Congress, signup_round: SignupRound | None, *, name_nl: str, name_en: str = "",
                      position: int = 0) -> SignupRound:
    created = signup_round is None
    if signup_round is None:
        signup_round = SignupRound(congress=congress)
        db.session.add(signup_round)
    signup_round.name_nl, signup_round.name_en, signup_round.position = name_nl.strip(), name_en.strip(), position
    db.session.flush()
    record("programme.round.create" if created else "programme.round.update", signup_round,
           name=signup_round.name_nl)
    return signup_round


def signup_rounds(congress: Congress) -> list[SignupRound]:
    return list(db.session.scalars(
        sa.select(SignupRound).where(SignupRound.congress_id == congress.id)
        .order_by(SignupRound.position, SignupRound.id)
    ))


# --------------------------------------------------------------------------------------------
# Conflicts
# --------------------------------------------------------------------------------------------


class Severity(enum.StrEnum):
    HARD = "hard"  # publishing is refused
    SOFT = "soft"  # a warning


class ConflictKind(enum.StrEnum):
    ROOM_DOUBLE_BOOKED = "room_double_booked"
    SPEAKER_DOUBLE_BOOKED = "speaker_double_booked"
    OUTSIDE_CONGRESS_DAYS = "outside_congress_days"
    OUTSIDE_ROOM_AVAILABILITY = "outside_room_availability"
    CAPACITY_ABOVE_ROOM = "capacity_above_room"
    SIGNUP_ROUND_OVERLAP = "signup_round_overlap"


SEVERITY = {
    ConflictKind.ROOM_DOUBLE_BOOKED: Severity.HARD,
    ConflictKind.SPEAKER_DOUBLE_BOOKED: Severity.HARD,
    ConflictKind.OUTSIDE_CONGRESS_DAYS: Severity.HARD,
    ConflictKind.OUTSIDE_ROOM_AVAILABILITY: Severity.HARD,
    ConflictKind.CAPACITY_ABOVE_ROOM: Severity.SOFT,
    ConflictKind.SIGNUP_ROUND_OVERLAP: Severity.SOFT,
}


@dataclasses.dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    session_ids: tuple[int, ...]
    message: str

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.kind]

    @property
    def is_hard(self) -> bool:
        return self.severity is Severity.HARD


def _overlap(a: ProgrammeSession, b: ProgrammeSession) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def find_conflicts(congress: Congress) -> list[Conflict]:
    """Every conflict in the edition's schedule (cancelled and unscheduled sessions excluded)."""
    tz = zone(congress)
    sessions = [s for s in all_sessions(congress) if s.starts_at and s.ends_at and not s.is_cancelled]
    found: list[Conflict] = []

    def fmt(s: ProgrammeSession) -> str:
        return f"“{s.title}” ({s.starts_at.astimezone(tz):%d-%m %H:%M}–{s.ends_at.astimezone(tz):%H:%M})"

    for i, a in enumerate(sessions):
        for b in sessions[i + 1:]:
            if not _overlap(a, b):
                continue
            if a.room_id is not None and a.room_id == b.room_id:
                found.append(Conflict(ConflictKind.ROOM_DOUBLE_BOOKED, (a.id, b.id),
                                      _("%(room)s holds two sessions at once: %(a)s and %(b)s.",
                                        room=a.room.name, a=fmt(a), b=fmt(b))))
            shared = {p.id for p in a.speakers} & {p.id for p in b.speakers}
            for person in [p for p in a.speakers if p.id in shared]:
                found.append(Conflict(ConflictKind.SPEAKER_DOUBLE_BOOKED, (a.id, b.id),
                                      _("%(name)s speaks in two places at once: %(a)s and %(b)s.",
                                        name=person.name, a=fmt(a), b=fmt(b))))
            if (a.signup_round_id is not None and b.signup_round_id is not None
                    and a.signup_round_id != b.signup_round_id):
                found.append(Conflict(ConflictKind.SIGNUP_ROUND_OVERLAP, (a.id, b.id),
                                      _("%(a)s and %(b)s overlap but belong to different sign-up rounds: "
                                        "an attendee can be enrolled in both.", a=fmt(a), b=fmt(b))))
    for s in sessions:
        start_day = s.starts_at.astimezone(tz).date()
        end_day = (s.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
        if not (congress.starts_on <= start_day and end_day <= congress.ends_on):
            found.append(Conflict(ConflictKind.OUTSIDE_CONGRESS_DAYS, (s.id,),
                                  _("%(s)s lies outside the congress days.", s=fmt(s))))
        room = s.room
        if room is not None:
            if (room.available_from and s.starts_at < room.available_from) or (
                room.available_until and s.ends_at > room.available_until
            ):
                found.append(Conflict(ConflictKind.OUTSIDE_ROOM_AVAILABILITY, (s.id,),
                                      _("%(s)s falls outside the hours %(room)s is available.",
                                        s=fmt(s), room=room.name)))
            if s.capacity is not None and s.capacity > room.capacity:
                found.append(Conflict(ConflictKind.CAPACITY_ABOVE_ROOM, (s.id,),
                                      _("%(s)s has %(n)d places but %(room)s seats only %(m)d.",
                                        s=fmt(s), n=s.capacity, room=room.name, m=room.capacity)))
    return found


def conflicts_by_session(conflicts: list[Conflict]) -> dict[int, list[Conflict]]:
    result: dict[int, list[Conflict]] = {}
    for c in conflicts:
        for sid in c.session_ids:
            result.setdefault(sid, []).append(c)
    return result


# --------------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------------


class PublishRefused(ValueError):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("hard conflicts remain")
        self.conflicts = conflicts


class ChangeKind(enum.StrEnum):
    NEW = "new"
    MOVED = "moved"
    ROOM = "room"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    CHANGED = "changed"
    REMOVED = "removed"


def change_label(kind: str) -> str:
    labels = {
        ChangeKind.NEW.value: _("new"),
        ChangeKind.MOVED.value: _("moved"),
        ChangeKind.ROOM.value: _("changed room"),
        ChangeKind.CANCELLED.value: _("cancelled"),
        ChangeKind.RESTORED.value: _("back in the programme"),
        ChangeKind.CHANGED.value: _("details changed"),
        ChangeKind.REMOVED.value: _("removed"),
    }
    return labels.get(kind, kind)


def snapshot_of(session: ProgrammeSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "ends_at": session.ends_at.isoformat() if session.ends_at else None,
        "room_id": session.room_id,
        "room": session.room.name if session.room else "",
        "cancelled": session.is_cancelled,
        "details": [session.abstract, session.format, session.language, session.track_id,
                    session.target_audience, session.capacity, [p.id for p in session.speakers]],
    }


def pending_changes(congress: Congress) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The changelog the next version would get, and the snapshot it would store."""
    previous = latest_version(congress)
    before: dict[str, Any] = previous.snapshot if previous is not None else {}
    now = {str(s.id): snapshot_of(s) for s in all_sessions(congress) if s.starts_at is not None}
    changes: list[dict[str, Any]] = []
    for key, state in now.items():
        old = before.get(key)
        kinds: list[str] = []
        if old is None:
            kinds.append(ChangeKind.NEW.value)
        else:
            if state["cancelled"] and not old["cancelled"]:
                kinds.append(ChangeKind.CANCELLED.value)
            elif old["cancelled"] and not state["cancelled"]:
                kinds.append(ChangeKind.RESTORED.value)
            if (state["starts_at"], state["ends_at"]) != (old["starts_at"], old["ends_at"]):
                kinds.append(ChangeKind.MOVED.value)
            if state["room_id"] != old["room_id"]:
                kinds.append(ChangeKind.ROOM.value)
            if state["title"] != old["title"] or state["details"] != old["details"]:
                kinds.append(ChangeKind.CHANGED.value)
        if kinds:
            changes.append({
                "session_id": int(key), "title": state["title"], "kinds": kinds,
                "starts_at": state["starts_at"], "ends_at": state["ends_at"], "room": state["room"],
                "previous": {k: old[k] for k in ("starts_at", "ends_at", "room")} if old else None,
            })
    for key, old in before.items():
        if key not in now:
            changes.append({"session_id": int(key), "title": old["title"], "kinds": [ChangeKind.REMOVED.value],
                            "starts_at": old["starts_at"], "ends_at": old["ends_at"], "room": old["room"],
                            "previous": None})
    changes.sort(key=lambda c: (c["starts_at"] or "", c["title"]))
    return changes, now


def _session_links(congress: Congress, sessions: list[ProgrammeSession]) -> dict[int, str]:
    """Absolute links to the public session pages (on PUBLIC_BASE_URL, in a request or a job alike)."""
    from congress.urls import external_url

    return {s.id: external_url("programme.session_page", slug=congress.slug, session_id=s.id)
            for s in sessions}


@transactional
def publish(congress: Congress, user: User | None, note: str = "", *,
            allow_conflicts: bool = False) -> ProgrammeVersion:
    """Publish the programme as the next numbered version.

    Refused (:class:`PublishRefused`) while a hard conflict remains. Changed sessions get a higher
    ``sequence`` and a new ``updated_at`` (calendar apps replace their copy); their speakers get an
    e-mail, and registered notifiers (enrolled attendees) are called with the changed session ids.
    ``allow_conflicts`` is for loading existing data (the demo), never for the editor.
    """
    from congress.mail.services import queue_mail

    # One publisher at a time per edition (the version number is taken from the last one).
    db.session.execute(lock_for_update(sa.select(Congress.id).where(Congress.id == congress.id)))
    hard = [c for c in find_conflicts(congress) if c.is_hard]
    if hard and not allow_conflicts:
        raise PublishRefused(hard)
    previous = latest_version(congress)
    changes, snapshot = pending_changes(congress)
    version = ProgrammeVersion(
        congress=congress,
        number=(previous.number + 1) if previous is not None else 1,
        published_by_id=user.id if user is not None else None,
        note=note.strip(),
        changes=changes,
        snapshot=snapshot,
    )
    db.session.add(version)
    now = utcnow()
    changed_ids = [c["session_id"] for c in changes if ChangeKind.REMOVED.value not in c["kinds"]]
    sessions = {s.id: s for s in all_sessions(congress) if s.id in set(changed_ids)}
    if previous is not None:
        # Calendar apps replace an event only when its SEQUENCE rises.
        for s in sessions.values():
            if ChangeKind.NEW.value not in next(c["kinds"] for c in changes if c["session_id"] == s.id):
                s.sequence = (s.sequence or 0) + 1
            s.updated_at = now
    db.session.flush()
    record("programme.publish", version, congress_id=congress.id, number=version.number,
           changed=len(changes), hard_conflicts=len(hard))
    if previous is not None:
        by_person: dict[int, tuple[Person, list[tuple[ProgrammeSession, list[str]]]]] = {}
        for change in changes:
            s = sessions.get(change["session_id"])
            if s is None:
                continue
            for person in s.speakers:
                if person.email:
                    by_person.setdefault(person.id, (person, []))[1].append((s, change["kinds"]))
        links = _session_links(congress, list(sessions.values()))
        for person, items in by_person.values():
            queue_mail(person.email, "programme/speaker_session_changed", locale="nl", congress_id=congress.id,
                       person=person, congress=congress, version=version, items=items, links=links)
        if changed_ids:
            notify_changed_sessions(congress, changed_ids, version)
    return version
