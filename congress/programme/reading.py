"""Reading the programme: the published programme as the public sees it, its filters, days and times.

Plain functions over values: no ``request`` here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.core.models import Congress, Person, Room, Track
from congress.errors import InvalidInput
from congress.extensions import db
from congress.i18n import bilingual
from congress.programme.models import ProgrammeSession, ProgrammeVersion, SessionFormat
from congress.programme.signals import seats_left_wanted
from congress.signals import first_answer


def seats_left(session: ProgrammeSession) -> int | None:
    """Seats left in a session open for sign-up, as the registration capability answers it (None: no
    limit, or no capability knows)."""
    return first_answer(seats_left_wanted, session)


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
        self.title_en, self.abstract_en = state.get("english") or ("", "")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._live, name)

    # As published, like the rest: the texts in the reader's language, the other as fallback.
    title_for = bilingual("title", nl="title")
    abstract_for = bilingual("abstract", nl="abstract")

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


class BadFilter(InvalidInput):
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
