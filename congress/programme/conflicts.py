"""Conflicts in an edition's schedule: hard ones refuse publishing, soft ones warn."""

from __future__ import annotations

import dataclasses
import enum
from datetime import timedelta

from flask_babel import gettext as _

from congress.core.models import Congress
from congress.programme.models import ProgrammeSession
from congress.programme.reading import all_sessions, zone


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
