"""iCalendar feeds of programme sessions (the whole edition, a track, a session, a personal agenda).

Times are written in UTC; stable UIDs; SEQUENCE follows the session's ``sequence`` counter, which
services raise when a published session changes; DTSTAMP is the session's last change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from icalendar import Calendar, Event, vText

from congress.core.models import Congress
from congress.programme.models import ProgrammeSession, format_label

PRODID = "-//Congres//Congres programme//NL"


def session_uid(session: ProgrammeSession, domain: str) -> str:
    return f"session-{session.id}@{domain}"


def session_event(
    session: ProgrammeSession,
    congress: Congress,
    *,
    domain: str,
    url: str | None = None,
    locale: str = "nl",
) -> Event:
    event = Event()
    event.add("uid", session_uid(session, domain))
    event.add("dtstamp", session.updated_at or session.created_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title_for(locale))
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    location = ", ".join(part for part in (session.room.name if session.room else "", congress.venue_name) if part)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    abstract = session.abstract_for(locale).strip()
    lines = [abstract] if abstract else []
    if session.speakers:
        lines.append(", ".join(p.name for p in session.speakers))
    lines.append(format_label(session.format))
    event.add("description", "\n\n".join(line for line in lines if line))
    categories = [session.track.name(locale)] if session.track else []
    if categories:
        event.add("categories", categories)
    return event


def calendar_for_sessions(
    sessions: Iterable[ProgrammeSession],
    congress: Congress,
    *,
    name: str,
    domain: str,
    url_for: Callable[[ProgrammeSession], str] | None = None,
    locale: str = "nl",
) -> bytes:
    """A VCALENDAR with one VEVENT per scheduled session."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", congress.timezone)
    for session in sessions:
        if session.starts_at is None or session.ends_at is None:
            continue
        calendar.add_component(
            session_event(session, congress, domain=domain, url=url_for(session) if url_for else None, locale=locale)
        )
    return calendar.to_ical()
