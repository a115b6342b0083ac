"""Calendar feeds parsed with a second, independent parser (vobject), conference-app exports
validated against the c3voc schemas, and a session spanning the change from and to summer time."""

import json
from datetime import date, datetime, timedelta

import jsonschema
import pytest
import vobject
from lxml import etree

from congress.extensions import db
from congress.programme.models import SessionFormat
from tests.conftest import SCHEMAS
from tests.factories import AMSTERDAM, make_congress, make_session, make_user
from tests.programme.factories import make_speaker, publish
from tests.urls_support import BASE, DOMAIN


def parse_ics(data: bytes) -> dict[str, object]:
    """Events by UID, read with vobject (the feeds are written with icalendar)."""
    calendar = vobject.readOne(data.decode("utf-8"))
    return {str(ev.uid.value): ev for ev in getattr(calendar, "vevent_list", [])}


def for_c3voc(document):
    """The document as the c3voc schema sees it: without pentabarf's ``venue`` and ``city`` in
    ``<conference>``, which ConfClerk reads and the c3voc schema has no element for (the only two)."""
    copy = etree.fromstring(etree.tostring(document))
    for extra in copy.findall("conference/venue") + copy.findall("conference/city"):
        extra.getparent().remove(extra)
    return copy


@pytest.fixture
def programme_data(app):
    congress = make_congress("feeds-test")
    alice = make_speaker("Alice <b>Spreker</b>", "alice@example.org")
    bob = make_speaker("Bob Zonder Mail", None)
    a = make_session(congress, title="Weerbaar & <veilig>", start="10:00", end="11:30", speakers=[alice, bob])
    a.abstract = "Regel één\nRegel twee; met komma, en <tags>"
    b = make_session(congress, title="Digitale weerbaarheid", start="13:00", end="14:00", room_index=1,
                     track_index=1, speakers=[bob])
    b.format = SessionFormat.PANEL.value
    b.language = "en"
    c = make_session(congress, title="Vervallen", start="15:00", end="16:00", speakers=[alice])
    c.is_cancelled = True
    db.session.commit()
    publish(congress)
    return congress, [a, b, c]


def test_programme_ics_round_trips_through_a_second_parser(client, programme_data):
    congress, sessions = programme_data
    response = client.get(f"/{congress.slug}/programme.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = parse_ics(response.data)
    assert len(events) == 3
    for s in sessions:
        ev = events[f"session-{s.id}@{DOMAIN}"]
        assert ev.dtstart.value == s.starts_at
        assert ev.dtend.value == s.ends_at
        assert ev.summary.value == s.title
        assert ev.url.value == f"{BASE}/{congress.slug}/programme/sessions/{s.id}"
        assert int(ev.sequence.value) == s.sequence
        assert s.room.name in ev.location.value
    assert events[f"session-{sessions[2].id}@{DOMAIN}"].status.value == "CANCELLED"
    assert events[f"session-{sessions[0].id}@{DOMAIN}"].status.value == "CONFIRMED"
    first = events[f"session-{sessions[0].id}@{DOMAIN}"]
    assert "Regel twee; met komma, en <tags>" in first.description.value
    assert "Spoor 1" in first.categories.value


def test_track_session_and_filtered_feeds(client, programme_data):
    congress, (a, b, c) = programme_data
    track = congress.tracks[1]
    assert set(parse_ics(client.get(f"/{congress.slug}/programme/tracks/{track.id}.ics").data)) == {
        f"session-{b.id}@{DOMAIN}"}
    assert set(parse_ics(client.get(f"/{congress.slug}/programme/sessions/{a.id}.ics").data)) == {
        f"session-{a.id}@{DOMAIN}"}
    assert set(parse_ics(client.get(f"/{congress.slug}/programme.ics?language=en").data)) == {
        f"session-{b.id}@{DOMAIN}"}
    url = f"/{congress.slug}/programme.ics?format=paneldiscussie&track={track.id}"
    assert set(parse_ics(client.get(url).data)) == {f"session-{b.id}@{DOMAIN}"}
    # Unknown filter values give the unfiltered programme.
    assert len(parse_ics(client.get(f"/{congress.slug}/programme.ics?format=dans&track=abc").data)) == 3
    assert client.get(f"/{congress.slug}/programme/tracks/999999.ics").status_code == 404
    assert client.get(f"/{congress.slug}/programme.ics?day=gisteren").status_code == 400


@pytest.mark.parametrize(
    ("day", "start", "end", "hours"),
    [
        (date(2026, 10, 25), "01:30", "04:00", 3.5),  # summer time ends at 03:00 CEST → 02:00 CET
        (date(2027, 3, 28), "01:30", "03:30", 1.0),  # summer time starts at 02:00 CET → 03:00 CEST
    ],
)
def test_a_session_spanning_the_summer_time_change(client, app, day, start, end, hours):
    congress = make_congress(f"zomertijd-{day.year}", day=day)
    session = make_session(congress, start=start, end=end, title="Nachtsessie", day=day)
    publish(congress)
    assert session.ends_at - session.starts_at == timedelta(hours=hours)
    # The ICS feed, read with vobject.
    [event] = parse_ics(client.get(f"/{congress.slug}/programme.ics").data).values()
    assert event.dtstart.value == session.starts_at
    assert event.dtend.value == session.ends_at
    assert event.dtend.value - event.dtstart.value == timedelta(hours=hours)
    local_start = event.dtstart.value.astimezone(AMSTERDAM)
    assert local_start.strftime("%H:%M") == start
    assert event.dtend.value.astimezone(AMSTERDAM).strftime("%H:%M") == end
    # schedule.json: the local start with its offset, and the real duration.
    data = client.get(f"/{congress.slug}/schedule.json").get_json()
    [ev] = [e for d in data["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert datetime.fromisoformat(ev["date"]) == session.starts_at
    assert ev["start"] == start
    hh, mm = (int(x) for x in ev["duration"].split(":"))
    assert timedelta(hours=hh, minutes=mm) == timedelta(hours=hours)
    # schedule.xml agrees.
    root = etree.fromstring(client.get(f"/{congress.slug}/schedule.xml").data)
    assert datetime.fromisoformat(root.findtext(".//event/date")) == session.starts_at
    assert root.findtext(".//event/duration") == ev["duration"]


def test_schedule_json_is_valid_with_persons_and_links(client, programme_data):
    congress, (a, b, c) = programme_data
    schema = json.loads((SCHEMAS / "schedule.schema.json").read_text())
    data = client.get(f"/{congress.slug}/schedule.json").get_json()
    jsonschema.validate(data, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    events = {e["id"]: e for d in data["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r}
    assert set(events) == {a.id, b.id, c.id}
    assert [p["name"] for p in events[a.id]["persons"]] == ["Alice <b>Spreker</b>", "Bob Zonder Mail"]
    assert [p["id"] for p in events[a.id]["persons"]] == [s.id for s in a.speakers]
    assert all(p["guid"] and p["url"].startswith("http") for e in events.values() for p in e["persons"])
    assert all(e["links"] for e in events.values())
    assert datetime.fromisoformat(events[a.id]["date"]) == a.starts_at
    assert events[a.id]["duration"] == "01:30"
    # Where the apps send people to give feedback: the session's feedback page (none for a cancelled one).
    assert events[a.id]["feedback_url"] == f"{BASE}/{congress.slug}/feedback/{a.id}"
    assert "feedback_url" not in events[c.id]


def test_schedule_xml_is_valid_with_persons_and_links(client, programme_data):
    congress, (a, b, c) = programme_data
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))
    response = client.get(f"/{congress.slug}/schedule.xml")
    assert response.mimetype == "application/xml"
    document = etree.fromstring(response.data)
    schema.assertValid(for_c3voc(document))
    event = document.find(f".//event[@id='{a.id}']")
    assert [p.text for p in event.findall("persons/person")] == ["Alice <b>Spreker</b>", "Bob Zonder Mail"]
    assert all(p.get("guid") for p in event.findall("persons/person"))
    assert [int(p.get("id")) for p in event.findall("persons/person")] == [s.id for s in a.speakers]
    assert event.findall("links/link")
    assert event.findtext("feedback_url") == f"{BASE}/{congress.slug}/feedback/{a.id}"
    assert document.find(f".//event[@id='{c.id}']/feedback_url") is None  # cancelled
    assert event.findtext("title") == "Weerbaar & <veilig>"  # escaped in the XML, intact when parsed
    assert b"<veilig>" not in response.data


def test_exports_of_an_empty_programme_are_valid(client, app):
    congress = make_congress("leeg-test")
    schema = json.loads((SCHEMAS / "schedule.schema.json").read_text())
    jsonschema.validate(client.get(f"/{congress.slug}/schedule.json").get_json(), schema)
    etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd"))).assertValid(
        for_c3voc(etree.fromstring(client.get(f"/{congress.slug}/schedule.xml").data)))
    assert parse_ics(client.get(f"/{congress.slug}/programme.ics").data) == {}


def test_feeds_of_draft_editions_are_404(client, app):
    congress = make_congress("concept-feed", status="draft")
    for url in ("programme.ics", "schedule.json", "schedule.xml", "programme", "programme.pdf"):
        assert client.get(f"/{congress.slug}/{url}").status_code == 404


def test_staff_preview_a_drafts_programme_uncached_and_never_shared(app, client):
    congress = make_congress("concept-voorbeeld", status="draft")
    staff = app.test_client(user=make_user("organiser", email="voorbeeld@example.org"))
    page = staff.get(f"/{congress.slug}/programme")
    assert page.status_code == 200
    assert "only staff can see this page" in staff.get(f"/{congress.slug}/programme?lang=en").get_data(as_text=True)
    for url in ("programme.ics", "schedule.json", "schedule.xml"):
        response = staff.get(f"/{congress.slug}/{url}")
        assert response.status_code == 200, url
        assert response.cache_control.no_store and response.cache_control.private, url
    # What staff saw is not kept for anyone else: anonymous visitors still find nothing.
    for url in ("programme", "programme.ics", "schedule.json", "schedule.xml"):
        assert client.get(f"/{congress.slug}/{url}").status_code == 404, url
