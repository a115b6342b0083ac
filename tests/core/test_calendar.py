"""The shared iCalendar builder, parsed back with icalendar and compared with the programme."""

from icalendar import Calendar

from congress.extensions import db
from congress.programme.calendar import calendar_for_sessions
from tests.factories import make_congress, make_session


def test_calendar_round_trip(app):
    congress = make_congress("kal")
    session = make_session(congress, start="10:00", end="11:30", title="Weerbaar & <veilig>")
    session.is_cancelled = True
    session.sequence = 3

    db.session.commit()
    data = calendar_for_sessions([session], congress, name="Test", domain="example.org",
                                 url_for=lambda s: f"https://example.org/s/{s.id}")
    parsed = Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event["SUMMARY"] == "Weerbaar & <veilig>"
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["UID"]) == f"session-{session.id}@example.org"
    assert int(event["SEQUENCE"]) == 3
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Zaal 1" in str(event["LOCATION"])
    assert event["URL"] == f"https://example.org/s/{session.id}"
