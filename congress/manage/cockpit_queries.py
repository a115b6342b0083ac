"""The cockpit's figures for one edition, aggregated in SQL through the capabilities' query faces.

Each figure is one grouped statement (a handful for the workshops, whose titles, rooms and rounds are
loaded with them), whatever the number of registrations: tests count the statements on 5,000.
Times are grouped per UTC hour in the database and folded into the edition's local hours and days
here, so that a day boundary follows the edition's timezone (and its summer time) on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.cfp import queries as cfp
from congress.checkin import queries as checkin
from congress.core.models import Congress
from congress.extensions import db
from congress.i18n import pick
from congress.mail import queries as mail
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations

MAX_DAYS = 400  # a registration period longer than this is shown from its last MAX_DAYS days
DECIDED = ("accepted", "confirmed", "rejected")


def per_utc_hour(times: sa.Select) -> list[tuple[datetime, int]]:
    """(UTC hour, number) of the times a one-column query selects, grouped in the database."""
    column = times.subquery().c[0]
    if db.engine.dialect.name == "sqlite":
        bucket = sa.func.strftime("%Y-%m-%d %H:00:00", column)
    else:
        bucket = sa.func.date_trunc("hour", sa.func.timezone("UTC", column))
    rows = db.session.execute(sa.select(bucket, sa.func.count()).group_by(bucket).order_by(bucket)).all()
    out = []
    for hour, n in rows:
        if hour is None:
            continue
        if isinstance(hour, str):
            hour = datetime.fromisoformat(hour)
        out.append((hour.replace(tzinfo=UTC) if hour.tzinfo is None else hour.astimezone(UTC), n))
    return out


def local_hours(hours: list[tuple[datetime, int]], zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The UTC hours as the edition's local hours (two UTC hours may fall on one local hour in autumn)."""
    merged: dict[datetime, int] = {}
    for hour, n in hours:
        local = hour.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        merged[local] = merged.get(local, 0) + n
    return sorted(merged.items())


def per_local_day(hours: list[tuple[datetime, int]], zone: ZoneInfo) -> list[tuple[date, int, int]]:
    """(local day, number, running total) from the first to the last day, days without any included."""
    days: dict[date, int] = {}
    for hour, n in hours:
        day = hour.astimezone(zone).date()
        days[day] = days.get(day, 0) + n
    if not days:
        return []
    first, last = min(days), max(days)
    total = sum(n for day, n in days.items() if day < last - timedelta(days=MAX_DAYS - 1))
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    out = []
    day = first
    while day <= last:
        total += days.get(day, 0)
        out.append((day, days.get(day, 0), total))
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Workshop:
    session: ProgrammeSession
    capacity: int | None
    enrolled: int
    waiting: int

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.enrolled, 0)

    @property
    def fill(self) -> float | None:
        """Enrolled as a fraction of the capacity (above 1 when organisers placed people over it)."""
        return None if not self.capacity else self.enrolled / self.capacity


@dataclass(frozen=True)
class Cockpit:
    congress: Congress
    by_status: dict[str, int]
    days: list[tuple[date, int, int]]
    sectors: list[tuple[str | None, int]]
    workshops: list[Workshop]
    waiting_people: int
    outbox: mail.OutboxHealth
    proposals: dict[str, int]
    arrived: int
    present: int
    arrivals: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return self.by_status.get("confirmed", 0)

    @property
    def unconfirmed(self) -> int:
        return self.by_status.get("pending", 0)

    @property
    def cancelled(self) -> int:
        return self.by_status.get("cancelled", 0)

    @property
    def active(self) -> int:
        return self.confirmed + self.unconfirmed

    @property
    def capacity_left(self) -> int | None:
        capacity = self.congress.capacity
        return None if capacity is None else max(capacity - self.active, 0)

    @property
    def submitted(self) -> int:
        """Proposals handed in (everything but drafts)."""
        return sum(n for status, n in self.proposals.items() if status not in ("draft", "reviewed"))

    @property
    def decided(self) -> int:
        return sum(self.proposals.get(status, 0) for status in DECIDED)

    @property
    def reviewed(self) -> int:
        return self.proposals.get("reviewed", 0)


def sector_counts(congress: Congress, locale: str) -> list[tuple[str | None, int]]:
    """(sector name in ``locale``, active registrations); None for those without a sector."""
    return [(pick(nl, en, locale) if nl else None, n) for nl, en, n in registrations.counts_by_sector(congress)]


def workshops(congress: Congress) -> list[Workshop]:
    """The edition's sign-up sessions with their seats and waiting lists (the one seat read)."""
    return [Workshop(s.session, s.capacity, s.enrolled, s.waiting) for s in registrations.seat_overview(congress)]


def cockpit(congress: Congress, locale: str) -> Cockpit:
    zone = ZoneInfo(congress.timezone)
    arrived, present = checkin.venue_presence(congress)
    return Cockpit(
        congress=congress,
        by_status=registrations.counts_by_status(congress),
        days=per_local_day(per_utc_hour(registrations.created_times(congress)), zone),
        sectors=sector_counts(congress, locale),
        workshops=workshops(congress),
        waiting_people=registrations.waiting_people(congress),
        outbox=mail.outbox_health(congress.id),
        proposals=cfp.proposal_counts(congress.id),
        arrived=arrived,
        present=present,
        arrivals=local_hours(per_utc_hour(checkin.venue_scan_times(congress)), zone),
    )


# --- the lists for the day -----------------------------------------------------------------------

@dataclass(frozen=True)
class Headcount:
    session: ProgrammeSession
    capacity: int | None
    enrolled: int
    waiting: int
    checked_in: int


def headcounts(congress: Congress) -> list[Headcount]:
    """Every session of the edition that is not cancelled, by start: enrolled, waiting, checked in."""
    sessions = db.session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.congress_id == congress.id,
                                          ProgrammeSession.is_cancelled.is_(False))
        .options(selectinload(ProgrammeSession.room))
        .order_by(ProgrammeSession.starts_at.is_(None), ProgrammeSession.starts_at, ProgrammeSession.id)).all()
    seats = registrations.edition_enrolment_counts(congress)
    present = checkin.checked_in_per_session(congress)
    empty = {"enrolled": 0, "waitlisted": 0}
    return [Headcount(s, s.effective_capacity, seats.get(s.id, empty)["enrolled"],
                      seats.get(s.id, empty)["waitlisted"], present.get(s.id, 0)) for s in sessions]


def by_local_day(rows: list[Headcount], congress: Congress) -> list[tuple[date | None, list[Headcount]]]:
    """The headcounts grouped by the edition's local day of their start, in order; unscheduled last (None)."""
    zone = ZoneInfo(congress.timezone)
    days: dict[date | None, list[Headcount]] = {}
    for row in rows:
        start = row.session.starts_at
        days.setdefault(start.astimezone(zone).date() if start else None, []).append(row)
    return sorted(days.items(), key=lambda item: (item[0] is None, item[0] or date.min))


def local_iso(value: datetime | None, congress: Congress) -> str:
    """A stored time as the edition's wall-clock time, ``YYYY-MM-DD HH:MM`` (for CSV); "" when unknown."""
    return value.astimezone(ZoneInfo(congress.timezone)).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Catering:
    active: int
    confirmed: int
    dietary: list[tuple[str, int]]
    accessibility: list[tuple[str, int]]

    @property
    def without_dietary_wishes(self) -> int:
        return max(self.active - sum(n for _text, n in self.dietary), 0)


def catering(congress: Congress) -> Catering:
    by_status = registrations.counts_by_status(congress)
    return Catering(active=sum(by_status.get(s, 0) for s in registrations.ACTIVE),
                    confirmed=by_status.get("confirmed", 0),
                    dietary=registrations.needs_summary(congress, "dietary"),
                    accessibility=registrations.needs_summary(congress, "accessibility"))
