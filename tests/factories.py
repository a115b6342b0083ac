"""Builders for test data (CTFd's helpers style): small functions with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from congress.accounts import services as accounts
from congress.accounts.models import User
from congress.core import services as core
from congress.core.models import Congress, CongressStatus, Person
from congress.extensions import db
from congress.programme.models import ProgrammeSession

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_congress(
    slug: str | None = None,
    *,
    day: date | None = None,
    status: str = CongressStatus.PUBLISHED.value,
    tracks: int = 2,
    rooms: int = 2,
) -> Congress:
    n = next(_counter)
    day = day or date.today() + timedelta(days=60)
    congress = core.create_congress(
        slug or f"test-{n}",
        title_nl=f"Testcongres {n}",
        title_en=f"Test congress {n}",
        starts_on=day,
        ends_on=day,
        status=status,
        venue_name="Testzaal",
    )
    for i in range(tracks):
        core.add_track(congress, f"Spoor {i + 1}", f"Track {i + 1}")
    for i in range(rooms):
        core.add_room(congress, f"Zaal {i + 1}", 30 + 10 * i)
    db.session.commit()
    return congress


def make_session(congress: Congress, *, start: str = "10:00", end: str = "11:00", title: str | None = None,
                 room_index: int = 0, track_index: int | None = 0, speakers: list[Person] | None = None,
                 day: date | None = None) -> ProgrammeSession:
    day = day or congress.starts_on
    hh, mm = map(int, start.split(":"))
    eh, em = map(int, end.split(":"))
    session = ProgrammeSession(
        congress=congress,
        title=title or f"Sessie {next(_counter)}",
        room=congress.rooms[room_index] if congress.rooms else None,
        track=congress.tracks[track_index] if track_index is not None and congress.tracks else None,
        starts_at=datetime.combine(day, time(hh, mm), tzinfo=AMSTERDAM),
        ends_at=datetime.combine(day, time(eh, em), tzinfo=AMSTERDAM),
        speakers=speakers or [],
    )
    db.session.add(session)
    db.session.commit()
    return session


def make_user(*roles: str, email: str | None = None, password: str = PASSWORD, name: str = "") -> User:
    user = accounts.create_user(
        email or f"user{next(_counter)}@example.org", name=name, password=password, roles=roles
    )
    db.session.commit()
    return user
