from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from congress.certificates import services
from congress.checkin import services as checkin
from congress.checkin.services import Scan
from congress.extensions import db
from tests.checkin.factories import checkin_edition
from tests.factories import make_session

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=AMSTERDAM)


def certificate_edition(slug: str = "certificaat-congres", people: int = 3):
    """An edition held yesterday: workshop A 10:00-11:30 and workshop B 13:00-14:00 (each with a station
    at its door) and a plenary 09:00-09:45 without a station; SKJ (4 points for the day, whole points)
    and Registerplein (1.5 per session, halves). ``day`` is yesterday."""
    congress, sessions, registrations, codes = checkin_edition(slug, people=people)
    day = date.today() - timedelta(days=1)
    congress.starts_on = congress.ends_on = day
    first, second = sessions
    first.starts_at, first.ends_at, first.title = at(day, "10:00"), at(day, "11:30"), "Werkplaats A"
    second.starts_at, second.ends_at, second.title = at(day, "13:00"), at(day, "14:00"), "Werkplaats B"
    db.session.commit()
    plenary = make_session(congress, start="09:00", end="09:45", title="Plenaire opening", day=day)
    checkin.create_station(congress, "Zaal A", session_id=first.id)
    checkin.create_station(congress, "Zaal B", session_id=second.id)
    skj = services.add_accreditation(congress, register="SKJ", number="SKJ-2024-0815", basis="day",
                                     points=Decimal(4), unit_hundredths=100)
    plein = services.add_accreditation(congress, register="Registerplein", number="RP-77", basis="session",
                                       points=Decimal("1.5"), unit_hundredths=50)
    return congress, [first, second, plenary], registrations, codes, day, (skj, plein)


def scan(congress, code, where, moment: datetime, direction: str = "in") -> dict:
    request = Scan(code=code, list=where, congress=congress, admit=True, scanned_at=moment, direction=direction)
    result = checkin.scan_out(request) if direction == "out" else checkin.scan(request)
    assert result["result"] in ("ok", "already_checked_in", "checked_out"), result
    return result
