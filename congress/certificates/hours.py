"""Hours and points from the scans: plain typed functions, no database, no HTTP.

A session counts from the later of the person's check-in at its room and its start to the earlier of
their check-out there and its end; without a check-out, to its end. A session without a station of
its own (nobody scans at its door) counts from the venue's entrance instead, when the person was
checked in there on or before that session's day (the entrance keeps one check-in per person per
edition, so a later day has no scan of its own); the entrance's check-out ends it when made that same
day. Sessions that have not ended yet do not count.

Points: an accreditation ``per session`` gives its points for each session attended in full, and its
share for a part; one ``per day`` gives its points for each congress day on which the person attended
the whole programme (the union of that day's sessions), and its share for a part. Each day's points
are rounded down to the register's unit (1, 0.5, 0.25 …): the attendance list has a row per person and
day, and the certificate's total is the sum of those rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_FLOOR, Decimal

ZERO = timedelta(0)


@dataclass(frozen=True)
class Slot:
    """A scheduled session of the programme."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    has_station: bool  # scanned at its own door (a station for the session)
    everyone: bool = True  # open to all (a plenary); False: only those enrolled (a workshop of a round)


@dataclass(frozen=True)
class Presence:
    """One check-in: when it was scanned, and the check-out if there was one."""

    checked_in_at: datetime
    checked_out_at: datetime | None = None


@dataclass(frozen=True)
class Attended:
    """The part of a session the person was there: ``until - since`` (never negative)."""

    slot: Slot
    since: datetime
    until: datetime

    @property
    def duration(self) -> timedelta:
        return max(self.until - self.since, ZERO)

    @property
    def share(self) -> Decimal:
        """The attended part of the session, 0 to 1."""
        length = (self.slot.ends_at - self.slot.starts_at).total_seconds()
        if length <= 0:
            return Decimal(0)
        return min(Decimal(int(self.duration.total_seconds())) / Decimal(int(length)), Decimal(1))


def attended(slot: Slot, room: Presence | None, door: Presence | None, zone: tzinfo) -> Attended | None:
    """The part of ``slot`` the person attended, by the scans; None when nothing counts."""
    if room is not None:
        since = max(room.checked_in_at, slot.starts_at)
        out = room.checked_out_at
        until = min(out, slot.ends_at) if out is not None else slot.ends_at
    elif door is not None and not slot.has_station:
        day = slot.starts_at.astimezone(zone).date()
        if door.checked_in_at.astimezone(zone).date() > day:
            return None
        since = max(door.checked_in_at, slot.starts_at)
        out = door.checked_out_at
        same_day = out is not None and out.astimezone(zone).date() == day
        until = min(out, slot.ends_at) if same_day and out is not None else slot.ends_at
    else:
        return None
    if until <= since:
        return None
    return Attended(slot, since, until)


def attendance(slots: Iterable[Slot], rooms: dict[int, Presence], door: Presence | None, zone: tzinfo,
               now: datetime, enrolled: Iterable[int] = ()) -> list[Attended]:
    """Every ended session the person attended (a part of), in programme order.

    The entrance stands in for a session's own scan only for sessions that are the person's: open to
    everyone, or one they were enrolled in (not every parallel workshop of a round); and a session
    counted from the entrance gives way to a session they were scanned in at during the same time."""
    mine = set(enrolled)
    lines = []
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.session_id)):
        room = rooms.get(slot.session_id)
        if slot.ends_at > now or (room is None and not (slot.everyone or slot.session_id in mine)):
            continue
        line = attended(slot, room, door, zone)
        if line is not None:
            lines.append(line)
    scanned = [line for line in lines if line.slot.session_id in rooms]
    return [line for line in lines if line.slot.session_id in rooms
            or not any(line.since < other.until and other.since < line.until for other in scanned)]


def union(intervals: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """The length of the union of intervals (time counted once where they overlap)."""
    total = ZERO
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total


def total_time(lines: Sequence[Attended]) -> timedelta:
    """The time attended: overlapping sessions (two scans at once) count once."""
    return union((line.since, line.until) for line in lines)


def round_down(value: Decimal, unit: Decimal) -> Decimal:
    """``value`` rounded down to a multiple of ``unit`` (the register's point unit)."""
    if unit <= 0:
        raise ValueError("the unit must be positive")
    steps = (value / unit).to_integral_value(rounding=ROUND_FLOOR)
    return (steps * unit).normalize() if steps else Decimal(0)


def day_points(lines: Sequence[Attended], programme: Iterable[Slot], *, per_day: bool, points: Decimal,
               unit: Decimal, zone: tzinfo) -> dict[date, Decimal]:
    """The points earned on each congress day, each rounded down to the register's unit.

    ``per_day``: the day's points times the share of that day's programme attended (the union of its
    sessions); otherwise each session's points times the share of it attended, summed over the day."""
    def day_of(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    result: dict[date, Decimal] = {}
    if per_day:
        days: dict[date, list[tuple[datetime, datetime]]] = {}
        for slot in programme:
            days.setdefault(day_of(slot.starts_at), []).append((slot.starts_at, slot.ends_at))
        for day, intervals in sorted(days.items()):
            length = int(union(intervals).total_seconds())
            there = int(union((a.since, a.until) for a in lines if day_of(a.slot.starts_at) == day).total_seconds())
            if length > 0 and there > 0:
                result[day] = round_down(points * min(Decimal(there) / Decimal(length), Decimal(1)), unit)
    else:
        raw: dict[date, Decimal] = {}
        for line in lines:
            day = day_of(line.slot.starts_at)
            raw[day] = raw.get(day, Decimal(0)) + points * line.share
        result = {day: round_down(value, unit) for day, value in sorted(raw.items())}
    return result


def total_points(per_day: dict[date, Decimal]) -> Decimal:
    return sum(per_day.values(), Decimal(0)).normalize() if per_day else Decimal(0)
