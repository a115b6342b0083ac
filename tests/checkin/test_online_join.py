"""Joining a session online through the personal page: the stream link is shown to confirmed registrants
only and never on a public page, feed or export; opening it during the session records the online
attendance once (a check-in with mode "online"), counted apart on the dashboard and by the certificate
hours like a scan at the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.checkin import services
from congress.checkin.models import CheckIn
from congress.database import utcnow
from congress.extensions import db
from congress.programme import services as programme
from congress.registration import services as registrations
from tests.factories import make_session
from tests.registration.factories import open_congress, registered

STREAM = "https://stream.example.org/live/weerbaarheid-3f9c2"


def streamed_edition(slug: str = "online-congres", *, starts_in: timedelta = -timedelta(minutes=10)):
    congress = open_congress(slug)
    registrations.save_window(congress, opens_at=congress.registration_opens_at,
                              closes_at=congress.registration_closes_at, capacity=None, online_places=True)
    session = make_session(congress, title="Digitale weerbaarheid in de klas")
    session.starts_at = utcnow() + starts_in
    session.ends_at = session.starts_at + timedelta(hours=1)
    session.stream_url = STREAM
    db.session.commit()
    return congress, session


def online_checkins(session_id: int) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CheckIn).where(CheckIn.session_id == session_id)))


def test_joining_during_the_session_records_attendance_once_and_sends_on_without_the_secret(app, client):
    congress, session = streamed_edition()
    person = registered(congress, n=1, confirmed=True, attendance_mode="online")
    url = f"/my/{person.link}/join/{session.id}"
    first = client.get(url)
    assert first.status_code == 303 and first.headers["Location"] == STREAM
    # The path holds the personal secret: never sent on to another host.
    assert first.headers["Referrer-Policy"] in {"no-referrer", "strict-origin-when-cross-origin", "same-origin"}
    assert "no-store" in first.headers["Cache-Control"]
    assert client.get(url).status_code == 303  # again: sent on, recorded once
    [checkin] = online_checkins(session.id)
    assert (checkin.mode, checkin.registration_id, checkin.list_key) == ("online", person.id, f"session:{session.id}")


def test_before_the_session_the_page_says_when_and_records_nothing(app, client):
    congress, session = streamed_edition("online-straks", starts_in=timedelta(hours=3))
    person = registered(congress, n=1, confirmed=True, attendance_mode="online")
    page = client.get(f"/my/{person.link}/join/{session.id}?lang=en")
    assert page.status_code == 200 and "not started yet" in page.get_data(as_text=True)
    dutch = client.get(f"/my/{person.link}/join/{session.id}?lang=nl")
    assert "nog niet begonnen" in dutch.get_data(as_text=True)
    assert online_checkins(session.id) == []
    assert services.join_window(session).state(session.starts_at - timedelta(minutes=14)) == "open"


def test_the_link_is_for_confirmed_registrants_of_that_edition_only(app, client):
    congress, session = streamed_edition()
    pending = registered(congress, n=1)  # not confirmed yet
    assert client.get(f"/my/{pending.link}/join/{session.id}").status_code == 404
    other, other_session = streamed_edition("ander-congres")
    stranger = registered(other, n=2, confirmed=True)
    assert client.get(f"/my/{stranger.link}/join/{session.id}").status_code == 404
    assert client.get(f"/my/{'x' * 43}/join/{session.id}").status_code == 404
    assert client.get(f"/my/{stranger.link}/join/{2**63}").status_code == 404
    unstreamed = make_session(congress, title="Zonder stream")
    person = registered(congress, n=3, confirmed=True)
    assert client.get(f"/my/{person.link}/join/{unstreamed.id}").status_code == 404
    assert online_checkins(session.id) == [] and online_checkins(other_session.id) == []


def test_the_personal_page_lists_the_streams_the_public_side_never_shows_them(app, client):
    congress, session = streamed_edition()
    person = registered(congress, n=1, confirmed=True)
    page = client.get(f"/my/{person.link}").get_data(as_text=True)
    assert f"/my/{person.link}/join/{session.id}" in page and STREAM not in page
    pending = registered(congress, n=2)
    assert f"/join/{session.id}" not in client.get(f"/my/{pending.link}").get_data(as_text=True)
    congress.status = "published"
    db.session.commit()
    # Every GET page and export a visitor can open with the edition's and the session's ids.
    values = {"slug": congress.slug, "session_id": session.id}
    seen = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not set(rule.arguments) <= set(values) or rule.rule.startswith("/my/"):
            continue
        response = client.get(rule.build(values)[1] if rule.arguments else rule.rule)
        if response.status_code == 200:
            seen += 1
            assert STREAM.encode() not in response.data, rule.rule
    assert seen > 20


def test_the_dashboard_counts_online_apart_and_online_is_no_no_show(app):
    congress, session = streamed_edition()
    online = registered(congress, n=1, confirmed=True, attendance_mode="online")
    registered(congress, n=2, confirmed=True)
    assert services.record_online_join(online.id, congress.id, session) is True
    assert services.record_online_join(online.id, congress.id, session) is False
    figures = services.dashboard(congress)
    assert (figures["registered_online"], figures["joined_online"], figures["no_shows"]) == (1, 1, 1)


def test_an_online_join_counts_for_the_certificate_from_the_join_to_the_end(app):
    from congress.certificates import services as certificates  # noqa: PLC0415 - the capability above

    congress, session = streamed_edition("online-uren", starts_in=-timedelta(hours=2))  # ended an hour ago
    person = registered(congress, n=1, confirmed=True, attendance_mode="online")
    services.record_online_join(person.id, congress.id, session, now=session.starts_at + timedelta(minutes=15))
    cert = certificates.certificate(person.registration)
    assert [(line.session_id, line.minutes) for line in cert.lines] == [(session.id, 45)]


@pytest.mark.parametrize("link", ["http://stream.example.org/x", "javascript:alert(1)", "https://", "ftp://x",
                                  "https://a b.example.org", "https://x.example.org/\u0000", "x" * 600])
def test_a_stream_link_must_be_an_https_url(app, link):
    with pytest.raises(programme.ProgrammeError) as refused:
        programme.clean_stream_url(link)
    assert refused.value.field == "stream_url"
    assert programme.clean_stream_url("  https://meet.example.org/j/123?pwd=a  ") == "https://meet.example.org/j/123?pwd=a"
