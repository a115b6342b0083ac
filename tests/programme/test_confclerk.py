"""schedule.xml as ConfClerk 0.7 (Debian's conference app) imports it.

ConfClerk has no command to import a file (only its settings dialog), so this test runs its import as
its source does it (``src/sql/schedulexmlparser.cpp`` and ``sqlengine.cpp``): the same DOM queries —
``elementsByTagName`` is recursive, so every ``<room name=…>`` of a day and every ``<event>`` in it,
``firstChildElement(x).text()`` for each field, ``<person id=…>`` per speaker — and its own SQLite
tables, whose ``PERSON.id`` is ``INTEGER PRIMARY KEY NOT NULL``. A person without an ``id`` attribute
is refused by that table (the failed insert is ignored, as ConfClerk ignores it), so the app then
shows no speaker at all: what our export did until persons carried their id.
"""

from __future__ import annotations

import contextlib
import sqlite3
from xml.dom import minidom

import sqlalchemy as sa

from congress.core.models import Congress
from congress.demo import load_demo
from congress.extensions import db
from congress.programme import services as programme

TABLES = """
CREATE TABLE CONFERENCE (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, title VARCHAR NOT NULL, subtitle VARCHAR,
    venue VARCHAR, city VARCHAR NOT NULL, start VARCHAR NOT NULL, end VARCHAR NOT NULL, days INTEGER);
CREATE TABLE PERSON (id INTEGER PRIMARY KEY NOT NULL, name VARCHAR NOT NULL);
CREATE TABLE EVENT (xid_conference INTEGER NOT NULL, id INTEGER NOT NULL, start VARCHAR NOT NULL,
    duration VARCHAR NOT NULL, track VARCHAR, type VARCHAR, language VARCHAR, title VARCHAR NOT NULL,
    subtitle VARCHAR, abstract VARCHAR, description VARCHAR, PRIMARY KEY (xid_conference, id));
CREATE TABLE EVENT_PERSON (xid_conference INTEGER NOT NULL, xid_event INTEGER NOT NULL, xid_person INTEGER NOT NULL);
CREATE TABLE EVENT_ROOM (xid_conference INTEGER NOT NULL, xid_event INTEGER NOT NULL, room VARCHAR NOT NULL);
"""


def _first_text(element, name: str) -> str:
    for child in element.childNodes:
        if child.nodeType == child.ELEMENT_NODE and child.tagName == name:
            return "".join(node.data for node in child.childNodes if node.nodeType == node.TEXT_NODE)
    return ""


def _first(element, name: str):
    return next((c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE and c.tagName == name), None)


def _try(db_, statement: str, values: tuple) -> None:
    with contextlib.suppress(sqlite3.Error):  # ConfClerk ignores a failed insert
        db_.execute(statement, values)


def confclerk_import(xml: bytes) -> sqlite3.Connection:
    store = sqlite3.connect(":memory:")
    store.executescript(TABLES)
    schedule = minidom.parseString(xml).documentElement
    conference = _first(schedule, "conference")
    fields = ("title", "subtitle", "venue", "city", "start", "end", "days")
    store.execute("INSERT INTO CONFERENCE (title, subtitle, venue, city, start, end, days) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", tuple(_first_text(conference, k) for k in fields))
    conf_id = 1
    for day in schedule.getElementsByTagName("day"):
        for room in day.getElementsByTagName("room"):
            if not room.hasAttribute("name"):
                continue  # an event's own <room> element
            for event in room.getElementsByTagName("event"):
                event_id = event.getAttribute("id")
                _try(store, "INSERT INTO EVENT_ROOM VALUES (?, ?, ?)", (conf_id, event_id, room.getAttribute("name")))
                _try(store, "INSERT INTO EVENT (xid_conference, id, start, duration, track, type, language, title, "
                     "subtitle, abstract, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (conf_id, event_id, *(_first_text(event, k) for k in (
                         "start", "duration", "track", "type", "language", "title", "subtitle", "abstract",
                         "description"))))
                persons = _first(event, "persons")
                for person in persons.getElementsByTagName("person") if persons else []:
                    person_id = person.getAttribute("id")
                    name = "".join(n.data for n in person.childNodes if n.nodeType == n.TEXT_NODE)
                    _try(store, "INSERT INTO PERSON (id, name) VALUES (?, ?)", (person_id, name))
                    _try(store, "INSERT INTO EVENT_PERSON VALUES (?, ?, ?)", (conf_id, event_id, person_id))
    return store


def speakers_shown(store: sqlite3.Connection, event_id: int) -> list[str]:
    """The speakers ConfClerk lists for an event (its join of EVENT_PERSON and PERSON)."""
    return [name for (name,) in store.execute(
        "SELECT PERSON.name FROM PERSON JOIN EVENT_PERSON ON PERSON.id = EVENT_PERSON.xid_person "
        "WHERE EVENT_PERSON.xid_event = ? ORDER BY PERSON.name", (event_id,))]


def test_confclerk_shows_the_speakers_of_every_session_of_the_demo(app, client):
    load_demo()
    editions = [c for c in db.session.scalars(sa.select(Congress).order_by(Congress.starts_on)) if c.is_public]
    checked = 0
    for congress in editions:
        xml = client.get(f"/{congress.slug}/schedule.xml").data
        store = confclerk_import(xml)
        title, venue, city = store.execute("SELECT title, venue, city FROM CONFERENCE").fetchone()
        assert (title, venue) == (congress.title("nl"), congress.venue_name)
        assert city and city == congress.venue_city, congress.venue_address
        sessions = programme.public_sessions(congress)
        assert store.execute("SELECT count(*) FROM EVENT").fetchone()[0] == len(sessions)
        for session in sessions:
            assert speakers_shown(store, session.id) == sorted(p.name for p in session.speakers), session.title
            abstract, description = store.execute("SELECT abstract, description FROM EVENT WHERE id = ?",
                                                  (session.id,)).fetchone()
            assert abstract == session.abstract and description.startswith(session.abstract.strip())
            checked += len(session.speakers)
        # The export before persons had their id: ConfClerk imported not one speaker.
        without_ids = xml.replace(b'<person id="', b'<person data-id="')
        assert sum(len(speakers_shown(confclerk_import(without_ids), s.id)) for s in sessions) == 0
    assert checked > 20  # the demo's sessions have speakers, so the comparison above says something
