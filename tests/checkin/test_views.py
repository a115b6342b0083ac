from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.checkin import services
from congress.checkin.models import CheckIn, Station
from congress.extensions import db
from tests.checkin.factories import checkin_edition
from tests.factories import make_user
from tests.registration.factories import open_congress
from tests.urls_support import BASE


@pytest.fixture
def edition(app):
    return checkin_edition("views-congres")


@pytest.fixture
def staff(app):
    return make_user("checkin", name="Vera Vrijwilliger")


def test_scan_form_without_javascript(app, edition, staff):
    congress, _, _, codes = edition
    client = app.test_client(user=staff)
    assert client.get(f"/manage/checkin/{congress.slug}/scan").status_code == 200
    first = client.post(f"/manage/checkin/{congress.slug}/scan", data={"code": codes[0], "list": "venue"})
    html = first.get_data(as_text=True)
    assert "scan-result--ok" in html and "Welkom" in html and "rolstoel" in html
    again = client.post(f"/manage/checkin/{congress.slug}/scan", data={"code": codes[0], "list": "venue"})
    assert "scan-result--warn" in again.get_data(as_text=True) and "Eerste check-in" in again.get_data(as_text=True)
    bad = client.post(f"/manage/checkin/{congress.slug}/scan",
                      data={"code": "<script>alert(1)</script>", "list": "venue"})
    assert "scan-result--bad" in bad.get_data(as_text=True) and "<script>alert(1)" not in bad.get_data(as_text=True)


def test_search_check_in_undo_and_print(app, edition, staff):
    congress, _, people, _ = edition
    client = app.test_client(user=staff)
    results = client.get(f"/manage/checkin/{congress.slug}/search", query_string={"q": "bezoeker 1"})
    assert "Bezoeker 1" in results.get_data(as_text=True)
    response = client.post(f"/manage/checkin/{congress.slug}/registrations/{people[1].id}/checkin",
                           data={"next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/manage/checkin/")
    checkin = db.session.scalars(sa.select(CheckIn)).one()
    page = client.get(f"/manage/checkin/{congress.slug}/search", query_string={"q": "Bezoeker 1"})
    assert "Check-in ongedaan maken" in page.get_data(as_text=True)
    client.post(f"/manage/checkin/{congress.slug}/checkins/{checkin.id}/undo")
    db.session.refresh(checkin)
    assert checkin.undone_at is not None
    badge = client.get(f"/manage/checkin/{congress.slug}/registrations/{people[1].id}/badge.pdf")
    assert badge.headers["Content-Type"] == "application/pdf" and badge.data.startswith(b"%PDF")


def test_check_out_keeps_the_check_in_and_is_audited(app, edition, staff):
    congress, _, people, _ = edition
    client = app.test_client(user=staff)
    client.post(f"/manage/checkin/{congress.slug}/registrations/{people[2].id}/checkin")
    checkin = db.session.scalars(sa.select(CheckIn)).one()
    page = client.get(f"/manage/checkin/{congress.slug}/search", query_string={"q": "Bezoeker 2"})
    assert ">Uitchecken</button>" in page.get_data(as_text=True)
    response = client.post(f"/manage/checkin/{congress.slug}/checkins/{checkin.id}/checkout")
    assert response.status_code == 302
    db.session.refresh(checkin)
    assert checkin.checked_out_at is not None and checkin.undone_at is None
    search = f"/manage/checkin/{congress.slug}/search"
    page = client.get(search, query_string={"q": "Bezoeker 2"}).get_data(as_text=True)
    assert "Uitgecheckt om" in page and ">Uitchecken</button>" not in page
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.checkout")) is not None
    other = open_congress("ander-congres")
    assert client.post(f"/manage/checkin/{other.slug}/checkins/{checkin.id}/checkout").status_code == 404


def test_organiser_creates_a_station_with_a_set_up_link(app, edition, organiser):
    congress, sessions, _, _ = edition
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/checkin/{congress.slug}/", data={"name": "Ingang A", "list": "venue"})
    html = response.get_data(as_text=True)
    link = re.search(r'href="(' + re.escape(BASE) + r'/station/#setup=stn_[\w-]+)"', html).group(1)
    assert "<svg" in html
    secret = link.split("#setup=")[1]
    station = db.session.scalars(sa.select(Station)).one()
    assert station.token_hash != secret
    api = app.test_client()
    me = api.get("/api/v1/stations/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["name"] == "Ingang A"
    client.post(f"/manage/checkin/{congress.slug}/stations/{station.id}/revoke")
    assert api.get("/api/v1/stations/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_checkin_staff_cannot_manage_stations_or_see_the_dashboard(app, edition, staff):
    congress, *_ = edition
    client = app.test_client(user=staff)
    assert client.get(f"/manage/checkin/{congress.slug}/").status_code == 403
    assert client.get(f"/manage/checkin/{congress.slug}/dashboard").status_code == 403


def test_dashboard_counts(app, edition, organiser):
    congress, sessions, people, codes = edition
    services.scan(services.Scan(code=codes[0], congress=congress))
    services.scan(services.Scan(code=codes[1], list=sessions[0].id, congress=congress))
    client = app.test_client(user=organiser)
    assert client.get(f"/manage/checkin/{congress.slug}/dashboard").status_code == 200
    data = client.get(f"/manage/checkin/{congress.slug}/dashboard.json").get_json()
    assert (data["registered"], data["checked_in"], data["no_shows"]) == (3, 1, 2)
    assert sum(a["count"] for a in data["arrivals"]) == 1
    workshop = next(w for w in data["workshops"] if w["id"] == sessions[0].id)
    assert (workshop["enrolled"], workshop["checked_in"]) == (3, 1)


def test_station_page_is_public_and_loads_nothing_from_elsewhere(client):
    html = client.get("/station/").get_data(as_text=True)
    assert 'type="module"' in html and "station.js" in html
    # Nothing loaded from another host (the canonical and language links name this page, load nothing).
    assert not re.search(r'(src|href)="(https?:)?//', re.sub(r'<link rel="(canonical|alternate)"[^>]*>', "", html))


def test_registrations_list_filters_on_checked_in_at_the_venue(app, edition, organiser):
    congress, sessions, people, codes = edition
    services.scan(services.Scan(code=codes[0], congress=congress))
    services.scan(services.Scan(code=codes[1], list=sessions[0].id, congress=congress))  # a room, not the venue
    client = app.test_client(user=organiser)
    yes = client.get(f"/manage/registrations/{congress.slug}/", query_string={"checked_in": "yes"})
    no = client.get(f"/manage/registrations/{congress.slug}/", query_string={"checked_in": "no"})
    assert yes.status_code == 200, yes.status_code
    assert "Bezoeker 0" in yes.get_data(as_text=True) and "Bezoeker 1" not in yes.get_data(as_text=True)
    assert "Bezoeker 1" in no.get_data(as_text=True) and "Bezoeker 0" not in no.get_data(as_text=True)
