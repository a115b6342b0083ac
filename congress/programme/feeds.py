"""Conference-app exports in the frab / c3voc schedule format (schedule.xml and schedule.json).

Validated in the tests against the c3voc XSD and JSON Schema. Persons and links are always filled
in (pretalx once lost the persons from its XML).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from congress.core.models import Congress, Person
from congress.programme import services
from congress.programme.models import ProgrammeSession, SessionFormat

GENERATOR = {"name": "Congres", "version": "1"}
NAMESPACE = uuid.UUID("6f2b8c1e-2d7e-4a53-9c39-5b0a4c1e0f11")
TYPES = {
    SessionFormat.PLENARY.value: "talk",
    SessionFormat.LECTURE.value: "talk",
    SessionFormat.WORKSHOP.value: "workshop",
    SessionFormat.PANEL.value: "discussion",
    SessionFormat.DIALOGUE.value: "discussion",
}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def acronym(congress: Congress) -> str:
    value = re.sub(r"[^a-z0-9_]", "_", congress.slug.lower())
    return value if len(value) >= 4 else value.ljust(4, "_")


def session_guid(congress: Congress, session: ProgrammeSession) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{congress.slug}/session/{session.id}"))


def person_guid(person: Person) -> str:
    if person.email:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"acct:{person.email.lower()}"))
    return str(uuid.uuid5(NAMESPACE, f"person/{person.id}"))


def room_guid(congress: Congress, room_id: int | None, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{congress.slug}/room/{room_id or name}"))


def event_slug(congress: Congress, session: ProgrammeSession) -> str:
    title = slugify(session.title)[:60].strip("-") or "sessie"
    tail = f"{session.id}-{title}"
    return f"{acronym(congress)}-{tail if len(tail) >= 4 else tail.ljust(4, '0')}"


def duration(session: ProgrammeSession) -> str:
    minutes = int((session.ends_at - session.starts_at) / timedelta(minutes=1))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def description(session: ProgrammeSession, locale: str = "nl") -> str:
    """The session's text for conference apps: its abstract (in ``locale``, the other language as
    fallback), and who it is for on a line of its own."""
    parts = [session.abstract_for(locale).strip()]
    if session.target_audience:
        parts.append(f"{_('Target audience')}: {session.target_audience.strip()}")
    return "\n\n".join(part for part in parts if part)


class Urls:
    """Absolute URLs the exports link to (given by the view, which knows the host)."""

    def __init__(self, base: str, session: Callable[[ProgrammeSession], str], person: Callable[[Person], str],
                 room: Callable[[int], str], ics: Callable[[ProgrammeSession], str],
                 feedback: Callable[[ProgrammeSession], str] | None = None) -> None:
        self.base, self.session, self.person, self.room, self.ics = base, session, person, room, ics
        self.feedback = feedback  # where attendees give feedback on a session (None: nowhere)


def _feedback(urls: Urls, session: ProgrammeSession) -> dict[str, str]:
    """``feedback_url`` where someone takes feedback on the session (not on a cancelled one)."""
    url = urls.feedback(session) if urls.feedback and not session.is_cancelled else None
    return {"feedback_url": url} if url else {}


def _days(congress: Congress) -> list[tuple[int, Any, list[ProgrammeSession]]]:
    sessions = services.public_sessions(congress)
    grouped = dict(services.group_by_day(sessions, congress))
    return [(i + 1, day, grouped.get(day, [])) for i, day in enumerate(services.congress_days(congress))]


def _day_bounds(congress: Congress, day: Any) -> tuple[str, str]:
    tz = services.zone(congress)
    start = datetime.combine(day, time(6, 0), tzinfo=tz)
    end = start + timedelta(days=1) - timedelta(minutes=1)
    return start.isoformat(), end.isoformat()


def schedule_json(congress: Congress, urls: Urls, *, version: str, locale: str = "nl") -> dict[str, Any]:
    tz = services.zone(congress)
    days = []
    rooms_used: dict[str, int | None] = {}
    for index, day, sessions in _days(congress):
        day_start, day_end = _day_bounds(congress, day)
        rooms: dict[str, list[dict[str, Any]]] = {}
        for s in sessions:
            room_name = s.room.name if s.room else "—"
            rooms_used.setdefault(room_name, s.room_id)
            start = s.starts_at.astimezone(tz)
            rooms.setdefault(room_name, []).append({
                "guid": session_guid(congress, s),
                "id": s.id,
                "date": start.isoformat(),
                "start": start.strftime("%H:%M"),
                "duration": duration(s),
                "room": room_name,
                "slug": event_slug(congress, s),
                "url": urls.session(s),
                "title": s.title_for(locale) + (f" ({_('cancelled')})" if s.is_cancelled else ""),
                "subtitle": "",
                "track": s.track.name(locale) if s.track else None,
                "type": TYPES.get(s.format, "other"),
                "language": s.language,
                "abstract": s.abstract_for(locale),
                # What the apps show as the session's text: the abstract, then who it is for.
                "description": description(s, locale),
                "do_not_record": False,
                "persons": [
                    {"name": p.name, "id": p.id, "guid": person_guid(p), "url": urls.person(p),
                     "biography": p.bio or None,
                     "links": []}
                    for p in s.speakers
                ],
                "links": [
                    {"url": urls.session(s), "title": s.title_for(locale), "type": "related"},
                    {"url": urls.ics(s), "title": "iCalendar", "type": "related"},
                ],
                "origin_url": urls.session(s),
                **_feedback(urls, s),
            })
        days.append({"index": index, "date": day.isoformat(), "day_start": day_start, "day_end": day_end,
                     "rooms": rooms})
    room_list = []
    for room in congress.rooms:
        room_list.append({"name": room.name, "guid": room_guid(congress, room.id, room.name),
                          "capacity": room.capacity, "description": room.accessibility_notes or None,
                          "url": urls.room(room.id)})
    for name, room_id in rooms_used.items():
        if room_id is None:
            room_list.append({"name": name, "guid": room_guid(congress, None, name)})
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": GENERATOR,
        "schedule": {
            "version": version,
            "base_url": urls.base,
            "conference": {
                "acronym": acronym(congress),
                "title": congress.title(locale),
                "description": congress.description(locale),
                "start": congress.starts_on.isoformat(),
                "end": congress.ends_on.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": "00:15",
                "time_zone_name": congress.timezone,
                "url": urls.base,
                "tracks": [{"name": t.name(locale), "slug": slugify(t.name_nl) or f"track-{t.id}",
                            "color": t.colour} for t in congress.tracks],
                "rooms": room_list,
                "days": days,
            },
        },
    }


def schedule_xml(congress: Congress, urls: Urls, *, version: str, locale: str = "nl") -> bytes:
    data = schedule_json(congress, urls, version=version, locale=locale)["schedule"]
    conf = data["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR["name"], version=GENERATOR["version"])
    ET.SubElement(root, "url").text = urls.base
    ET.SubElement(root, "version").text = version
    c = ET.SubElement(root, "conference")
    ET.SubElement(c, "acronym").text = conf["acronym"]
    ET.SubElement(c, "title").text = conf["title"]
    # Pentabarf's venue and city, which ConfClerk and Giggity show (the c3voc schema has no place for them).
    ET.SubElement(c, "venue").text = congress.venue_name
    ET.SubElement(c, "city").text = congress.venue_city
    ET.SubElement(c, "start").text = conf["start"]
    ET.SubElement(c, "end").text = conf["end"]
    ET.SubElement(c, "days").text = str(conf["daysCount"])
    ET.SubElement(c, "timeslot_duration").text = conf["timeslot_duration"]
    ET.SubElement(c, "base_url").text = urls.base
    ET.SubElement(c, "url").text = urls.base
    ET.SubElement(c, "time_zone_name").text = conf["time_zone_name"]
    for track in conf["tracks"]:
        ET.SubElement(c, "track", name=track["name"], color=track["color"].lower(),
                      slug=_xml_slug(track["slug"])).text = track["name"]
    for day in conf["days"]:
        d = ET.SubElement(root, "day", index=str(day["index"]), date=day["date"], start=day["day_start"],
                          end=day["day_end"])
        for room_name, events in day["rooms"].items():
            r = ET.SubElement(d, "room", name=room_name, guid=_room_guid_by_name(congress, room_name))
            for ev in events:
                e = ET.SubElement(r, "event", id=str(ev["id"]), guid=ev["guid"])
                for key in ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug"):
                    ET.SubElement(e, key).text = ev[key]
                ET.SubElement(e, "track").text = ev["track"] or ""
                persons = ET.SubElement(e, "persons")
                for p in ev["persons"]:
                    # ConfClerk keys persons by this id: without it, it imports no speaker at all.
                    ET.SubElement(persons, "person", id=str(p["id"]), guid=p["guid"]).text = p["name"]
                ET.SubElement(e, "language").text = ev["language"]
                ET.SubElement(e, "description").text = ev["description"]
                recording = ET.SubElement(e, "recording")
                ET.SubElement(recording, "license").text = ""
                ET.SubElement(recording, "optout").text = "false"
                links = ET.SubElement(e, "links")
                for link in ev["links"]:
                    ET.SubElement(links, "link", href=link["url"], type=link["type"]).text = link["title"]
                ET.SubElement(e, "url").text = ev["url"]
                if "feedback_url" in ev:
                    ET.SubElement(e, "feedback_url").text = ev["feedback_url"]
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml_slug(slug: str) -> str:
    slug = re.sub(r"[^a-z0-9-]", "-", slug)
    return slug if re.match(r"^[a-z][a-z0-9-]+$", slug) else f"t{slug}"


def _room_guid_by_name(congress: Congress, name: str) -> str:
    for room in congress.rooms:
        if room.name == name:
            return room_guid(congress, room.id, name)
    return room_guid(congress, None, name)
