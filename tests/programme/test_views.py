"""Public programme pages, filters, conditional requests (304) and the management pages."""

import gzip
import re
from datetime import timedelta

import pytest
from lxml import etree

from congress.extensions import db
from congress.programme import services as programme
from congress.programme.caching import cache
from congress.programme.models import ProgrammeSession
from congress.programme.signals import seats_left_wanted
from tests.factories import make_congress, make_session, make_user
from tests.programme.factories import make_speaker, make_track_manager, publish
from tests.urls_support import BASE


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def filled(app):
    congress = make_congress("prog")
    speaker = make_speaker("Petra Spreker", "petra@example.org")
    a = make_session(congress, title="Sessie Alfa", start="10:00", end="11:00", speakers=[speaker])
    b = make_session(congress, title="Session Beta", start="10:00", end="11:30", room_index=1, track_index=1)
    b.language = "en"
    b.format = "lezing"
    db.session.commit()
    publish(congress)
    return congress, a, b, speaker


def test_programme_list_and_grid(client, filled):
    congress, a, b, _ = filled
    html = client.get(f"/{congress.slug}/programme").get_data(as_text=True)
    assert "Sessie Alfa" in html and "Session Beta" in html and "10:00" in html
    grid = client.get(f"/{congress.slug}/programme?view=grid").get_data(as_text=True)
    assert "programme-grid" in grid and 'rowspan="6"' in grid and 'rowspan="4"' in grid


def test_filters_are_kept_in_the_url(client, filled):
    congress, a, b, _ = filled
    html = client.get(f"/{congress.slug}/programme?language=en").get_data(as_text=True)
    assert "Session Beta" in html and "Sessie Alfa" not in html
    assert f"/{congress.slug}/programme.ics?language=en" in html
    assert "Sessie Alfa" in client.get(f"/{congress.slug}/programme?track={congress.tracks[0].id}").get_data(
        as_text=True)
    assert "Session Beta" not in client.get(f"/{congress.slug}/programme?format=workshop").get_data(as_text=True)


def test_bad_filters_never_give_500(client, filled):
    congress, *_ = filled
    for query in ("track=zzz", "format=<script>", "language=xx", "view=odd", "track=999999", "day=2001-01-01"):
        response = client.get(f"/{congress.slug}/programme?{query}")
        assert response.status_code == 200, query
        assert "Sessie Alfa" in response.get_data(as_text=True)
    for query in ("day=morgen", "day=2026-13-40", "day=%00morgen"):  # NUL is stripped at the edge
        response = client.get(f"/{congress.slug}/programme?{query}")
        assert response.status_code == 400, query


def test_session_speaker_and_room_pages(client, filled):
    congress, a, b, speaker = filled
    html = client.get(f"/{congress.slug}/programme/sessions/{a.id}").get_data(as_text=True)
    assert "Sessie Alfa" in html and "Petra Spreker" in html and "webcal://" in html
    assert "Sessie Alfa" in client.get(f"/{congress.slug}/programme/speakers/{speaker.id}").get_data(as_text=True)
    assert "Petra Spreker" in client.get(f"/{congress.slug}/programme/speakers").get_data(as_text=True)
    assert "Sessie Alfa" in client.get(f"/{congress.slug}/programme/rooms/{a.room_id}").get_data(as_text=True)
    other = make_congress("ander")
    assert client.get(f"/{other.slug}/programme/sessions/{a.id}").status_code == 404
    assert client.get(f"/{other.slug}/programme/rooms/{a.room_id}").status_code == 404
    assert client.get(f"/{other.slug}/programme/speakers/{speaker.id}").status_code == 404


def test_seats_left_come_from_the_receiver_of_seats_left_wanted(client, filled):
    congress, a, *_ = filled

    def seven(session):
        return 7

    seats_left_wanted.connect(seven)
    try:
        assert programme.seats_left(a) == 7
        html = client.get(f"/{congress.slug}/programme/sessions/{a.id}").get_data(as_text=True)
    finally:
        seats_left_wanted.disconnect(seven)
    assert "<dd>7</dd>" in html
    assert programme.seats_left(a) is None  # nobody answers: no limit shown


def test_printable_pdf(client, filled):
    congress, *_ = filled
    response = client.get(f"/{congress.slug}/programme.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_texts_are_escaped_in_pages_and_feeds(client, filled):
    congress, a, *_ = filled
    a.title = "<script>alert(1)</script>"
    db.session.commit()
    publish(congress)
    for url in (f"/{congress.slug}/programme", f"/{congress.slug}/programme/sessions/{a.id}",
                f"/{congress.slug}/programme?view=grid", f"/{congress.slug}/schedule.xml"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, url
    assert "<script>" not in client.get(f"/{congress.slug}/programme/changes.atom").get_data(as_text=True)


URLS = ("programme", "programme?view=grid&language=nl", "programme.ics", "schedule.json", "schedule.xml",
        "programme/changes", "programme/changes.atom", "programme.pdf")


@pytest.mark.parametrize("path", URLS)
def test_conditional_requests_answer_304_until_the_programme_changes(client, filled, path):
    congress, a, *_ = filled
    url = f"/{congress.slug}/{path}"
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url).data == first.data  # served from the cache
    a.title = "Nieuwe titel"
    db.session.commit()
    publish(congress)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    if path.startswith(("programme", "schedule")) and not path.endswith(".pdf"):
        assert "Nieuwe titel" in changed.get_data(as_text=True)


def test_api_endpoints_answer_304(client, filled):
    congress, *_ = filled
    for part in ("programme", "tracks", "rooms", "speakers"):
        url = f"/api/v1/congresses/{congress.slug}/{part}"
        response = client.get(url)
        assert response.status_code == 200
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_logged_in_staff_get_their_own_page(app, filled, organiser):
    congress, *_ = filled
    staff = app.test_client(user=organiser)
    html = staff.get(f"/{congress.slug}/programme").get_data(as_text=True)
    assert "csrf_token" in html  # the logout form: never cached for others
    assert "csrf_token" not in app.test_client().get(f"/{congress.slug}/programme").get_data(as_text=True)


def test_changelog_page_and_atom(client, filled, organiser):
    congress, a, *_ = filled
    a.is_cancelled = True
    db.session.commit()
    programme.publish(congress, organiser)
    db.session.commit()
    html = client.get(f"/{congress.slug}/programme/changes").get_data(as_text=True)
    assert "Versie 2" in html or "Version 2" in html
    atom = client.get(f"/{congress.slug}/programme/changes.atom")
    assert atom.mimetype == "application/atom+xml"

    feed = etree.fromstring(atom.data)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 2


# ---------------------------------------------------------------- management


def test_access_per_role(app, filled, organiser):
    congress, a, b, _ = filled
    manager = make_track_manager(congress, track_index=0)
    reviewer = make_user("reviewer")
    as_manager = app.test_client(user=manager)
    as_organiser = app.test_client(user=organiser)
    assert as_manager.get(f"/manage/programme/{congress.slug}/sessions/{a.id}").status_code == 200
    assert as_manager.get(f"/manage/programme/{congress.slug}/sessions/{b.id}").status_code == 403
    assert as_manager.post(f"/manage/programme/{congress.slug}/sessions/{b.id}/delete").status_code == 403
    assert as_manager.get(f"/manage/programme/{congress.slug}/tracks").status_code == 403
    assert as_manager.get(f"/manage/programme/{congress.slug}/rooms/new").status_code == 403
    assert as_manager.get(f"/manage/programme/{congress.slug}/schedule").status_code == 200
    assert as_manager.get(f"/manage/programme/{congress.slug}/publish").status_code == 200
    for url in (f"sessions/{a.id}", f"sessions/{b.id}", "tracks", "rooms", "schedule", "publish"):
        assert as_organiser.get(f"/manage/programme/{congress.slug}/{url}").status_code == 200, url
    assert app.test_client(user=reviewer).get(f"/manage/programme/{congress.slug}/").status_code == 403
    other = make_congress("ander-congres")
    assert as_manager.get(f"/manage/programme/{other.slug}/").status_code == 403


def _form(session: ProgrammeSession, **changes):
    data = {
        "title": session.title, "format": session.format, "language": session.language,
        "track_id": str(session.track_id or ""), "room_id": str(session.room_id or ""),
        "starts_at": session.starts_at.astimezone(programme.zone(session.congress)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": session.ends_at.astimezone(programme.zone(session.congress)).strftime("%Y-%m-%dT%H:%M"),
        "signup_round_id": "",
    }
    data.update(changes)
    return data


def test_session_form_refuses_bad_input_next_to_the_field(app, filled, organiser):
    congress, a, b, _ = filled
    staff = app.test_client(user=organiser)
    url = f"/manage/programme/{congress.slug}/sessions/{a.id}"
    day = congress.starts_on.isoformat()
    cases = {
        "ends_at": _form(a, ends_at=f"{day}T09:00"),
        "room_id": _form(a, room_id=str(b.room_id)),
        "starts_at": _form(a, starts_at=f"{(congress.starts_on + timedelta(days=5)).isoformat()}T10:00",
                           ends_at=f"{(congress.starts_on + timedelta(days=5)).isoformat()}T11:00"),
        "track_id": _form(a, track_id="987654"),
    }
    for field, form in cases.items():
        response = staff.post(url, data=form)
        assert response.status_code == 200, field
        html = response.get_data(as_text=True)
        assert f'id="{field}-error"' in html, field
        assert f'aria-describedby="{field}-error"' in html or f'{field}-description {field}-error' in html, field
    db.session.refresh(a)
    assert a.title == "Sessie Alfa"


def test_session_form_creates_and_edits(app, filled, organiser):
    congress, a, *_ = filled
    staff = app.test_client(user=organiser)
    day = congress.starts_on.isoformat()
    response = staff.post(f"/manage/programme/{congress.slug}/sessions/new", data={
        "title": "Nieuwe workshop", "format": "workshop", "language": "nl", "track_id": str(congress.tracks[0].id),
        "room_id": str(congress.rooms[0].id), "starts_at": f"{day}T14:00", "ends_at": f"{day}T15:15",
        "signup_round_id": "", "new_speaker_name": "Nico Nieuw", "new_speaker_email": "nico@example.org",
    })
    assert response.status_code == 302
    created = db.session.query(ProgrammeSession).filter_by(title="Nieuwe workshop").one()
    assert created.ends_at - created.starts_at == timedelta(minutes=75)
    assert created.starts_at.astimezone(programme.zone(congress)).strftime("%H:%M") == "14:00"
    assert [p.name for p in created.speakers] == ["Nico Nieuw"]


def test_track_manager_cannot_create_in_another_track(app, filled):
    congress, *_ = filled
    manager = make_track_manager(congress, track_index=0)
    day = congress.starts_on.isoformat()
    response = app.test_client(user=manager).post(f"/manage/programme/{congress.slug}/sessions/new", data={
        "title": "Stiekem", "format": "workshop", "language": "nl", "track_id": str(congress.tracks[1].id),
        "room_id": "", "starts_at": f"{day}T16:00", "ends_at": f"{day}T17:00", "signup_round_id": "",
    })
    assert response.status_code == 200
    assert db.session.query(ProgrammeSession).filter_by(title="Stiekem").count() == 0


def test_move_in_the_grid_with_and_without_javascript(app, filled, organiser):
    congress, a, b, _ = filled
    staff = app.test_client(user=organiser)
    url = f"/manage/programme/{congress.slug}/schedule/move"
    day = congress.starts_on.isoformat()
    plain = staff.post(url, data={"session_id": a.id, "room_id": b.room_id, "day": day, "start": "12:00"})
    assert plain.status_code == 302
    db.session.refresh(a)
    assert a.room_id == b.room_id
    assert a.starts_at.astimezone(programme.zone(congress)).strftime("%H:%M") == "12:00"
    clash = staff.post(url, data={"session_id": a.id, "room_id": b.room_id, "day": day, "start": "10:30"},
                       headers={"Accept": "application/json"})
    assert clash.status_code == 409 and clash.get_json()["ok"] is False
    ok = staff.post(url, data={"session_id": a.id, "room_id": a.room_id, "day": day, "start": "13:00"},
                    headers={"Accept": "application/json"})
    assert ok.get_json()["ok"] is True
    bad = staff.post(url, data={"session_id": a.id, "room_id": a.room_id, "day": day, "start": "25:99"},
                     headers={"Accept": "application/json"})
    assert bad.status_code == 400


def test_publish_page_refuses_with_hard_conflicts(app, filled, organiser):
    congress, a, b, _ = filled
    speaker = a.speakers[0]
    b.speakers = [speaker]
    db.session.commit()
    staff = app.test_client(user=organiser)
    html = staff.get(f"/manage/programme/{congress.slug}/publish").get_data(as_text=True)
    assert 'data-kind="speaker_double_booked"' in html
    response = staff.post(f"/manage/programme/{congress.slug}/publish", data={"note": ""})
    assert response.status_code == 200
    assert len(programme.versions(congress)) == 1
    b.speakers = []
    b.title = b.title + " (zonder spreker)"  # a change: an empty version is never published
    db.session.commit()
    response = staff.post(f"/manage/programme/{congress.slug}/publish", data={"note": "Klaar"})
    assert response.status_code == 302
    assert [v.number for v in programme.versions(congress)] == [2, 1]


def test_tracks_and_rooms_pages(app, filled, organiser):
    congress, *_ = filled
    manager = make_user("track_manager", email="nieuw-tm@example.org")
    staff = app.test_client(user=organiser)
    response = staff.post(f"/manage/programme/{congress.slug}/tracks/new", data={
        "name_nl": "Spoor 9", "name_en": "Track 9", "colour": "#aa0000", "managers": [str(manager.id)]})
    assert response.status_code == 302
    db.session.refresh(manager)
    assert len(manager.managed_track_ids()) == 1
    bad = staff.post(f"/manage/programme/{congress.slug}/tracks/new", data={
        "name_nl": "Spoor 1", "name_en": "Track 1", "colour": "rood"})
    assert 'id="colour-error"' in bad.get_data(as_text=True)
    day = congress.starts_on.isoformat()
    response = staff.post(f"/manage/programme/{congress.slug}/rooms/new", data={
        "name": "Zaal 9", "capacity": "40", "available_from": f"{day}T09:00", "available_until": f"{day}T12:00"})
    assert response.status_code == 302
    bad = staff.post(f"/manage/programme/{congress.slug}/rooms/new", data={
        "name": "Zaal 10", "capacity": "40", "available_from": f"{day}T12:00", "available_until": f"{day}T09:00"})
    assert 'id="available_until-error"' in bad.get_data(as_text=True)


def test_feeds_are_gzipped_for_clients_that_accept_it(client, filled):
    congress, *_ = filled
    plain = client.get(f"/{congress.slug}/schedule.json")
    zipped = client.get(f"/{congress.slug}/schedule.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
    again = client.get(f"/{congress.slug}/schedule.json", headers={"Accept-Encoding": "gzip",
                                                                    "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_signup_rounds_page(app, filled, organiser):
    congress, *_ = filled
    staff = app.test_client(user=organiser)
    response = staff.post(f"/manage/programme/{congress.slug}/rounds", data={"name_nl": "Ronde 1", "name_en": "Round 1",
                                                                           "position": "1"})
    assert response.status_code == 302
    [created] = programme.signup_rounds(congress)
    assert created.name_en == "Round 1"
    duplicate = staff.post(f"/manage/programme/{congress.slug}/rounds", data={"name_nl": "Ronde 1"})
    assert 'id="name_nl-error"' in duplicate.get_data(as_text=True)
    assert staff.get(f"/manage/programme/{congress.slug}/rounds/{created.id}").status_code == 200


def test_programme_before_the_first_version(client, app):
    congress = make_congress("nog-niet")
    make_session(congress, title="Concept")
    html = client.get(f"/{congress.slug}/programme").get_data(as_text=True)
    assert "Concept" not in html and "Het programma is nog niet gepubliceerd." in html


def test_track_colours_stylesheet(client, filled):
    congress, *_ = filled
    congress.tracks[0].colour = "#8a2a72"
    congress.tracks[1].colour = "red;}*{"  # at most 7 characters in the column
    db.session.commit()
    css = client.get(f"/{congress.slug}/programme/tracks.css")
    assert css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert f".grid-session.track-{congress.tracks[0].id} {{ border-left-color: #8a2a72; }}" in text
    assert "red;" not in text and f"track-{congress.tracks[1].id}" not in text
    grid = client.get(f"/{congress.slug}/programme?view=grid").get_data(as_text=True)
    assert f"track-{congress.tracks[0].id}" in grid and "tracks.css" in grid


def test_speakers_mail_links_to_the_session_page(app, filled, organiser, mailbox):
    congress, a, *_ = filled
    a.title = "Andere titel"
    db.session.commit()
    response = app.test_client(user=organiser).post(f"/manage/programme/{congress.slug}/publish",
                                                    data={"note": "", "mails": "1/0"})  # the confirmation step's
    assert response.status_code == 302
    [mail] = mailbox
    assert mail["To"] == "petra@example.org"
    assert f"{BASE}/{congress.slug}/programme/sessions/{a.id}" in mail.get_body(("plain",)).get_content()


# A valid HTML global date and time string ("YYYY-MM-DDTHH:MM[:SS[.fff]]" and an offset); the
# fraction, where present, has at most three digits, so Python's microseconds are invalid.
HTML_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})"


def test_time_elements_carry_valid_html_datetimes(client, filled, organiser):
    congress, a, *_ = filled
    a.title = "Sessie Alfa (nieuw)"
    db.session.commit()
    programme.publish(congress, organiser)  # published_at = now, with microseconds
    db.session.commit()
    for url, at_least in ((f"/{congress.slug}/programme/changes", 2), (f"/{congress.slug}/programme", 4),
                          (f"/{congress.slug}/programme/sessions/{a.id}", 2), (f"/{congress.slug}/", 4)):
        html = client.get(url).get_data(as_text=True)
        values = re.findall(r'<time datetime="([^"]*)"', html)
        assert len(values) >= at_least, (url, values)
        assert all(re.fullmatch(HTML_DATETIME, value) for value in values), (url, values)
