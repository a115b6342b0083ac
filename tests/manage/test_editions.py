"""The edition screens (congress.manage.editions): create, settings, the status change with its
confirmation step, archived editions read-only in the back office, and hostile input."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from congress.core.models import Congress
from congress.core.queries import congress_by_slug
from congress.extensions import db
from tests.factories import make_congress, make_user

START = date.today() + timedelta(days=90)
FORM = {
    "slug": "congres-nieuw", "title_nl": "Nieuw congres", "title_en": "New congress",
    "tagline_nl": "Kennis delen", "tagline_en": "Sharing knowledge", "description_nl": "Over veerkracht.",
    "description_en": "On resilience.", "starts_on": START.isoformat(), "ends_on": "", "starts_at_time": "09:30",
    "ends_at_time": "17:00", "timezone": "Europe/Amsterdam", "venue_name": "Jaarbeurs Utrecht",
    "venue_address": "Jaarbeursplein 6, Utrecht", "capacity": "250", "registration_opens_at": "",
    "registration_closes_at": "", "contact_email": "congres@example.nl",
}


@pytest.fixture
def staff(app, organiser):
    return app.test_client(user=organiser)


def test_an_organiser_creates_an_edition_as_a_draft_closing_registration_at_its_start(staff):
    page = staff.get("/manage/editions/new")
    assert page.status_code == 200 and 'name="slug"' in page.get_data(as_text=True)
    made = staff.post("/manage/editions/new", data=FORM)
    assert made.status_code == 302 and made.headers["Location"].endswith("/manage/congres-nieuw/")  # its cockpit
    congress = congress_by_slug("congres-nieuw")
    assert (congress.status, congress.ends_on, congress.capacity, congress.contact_email) == (
        "draft", START, 250, "congres@example.nl")
    assert congress.starts_at_time == time(9, 30)
    assert congress.registration_closes_at == datetime.combine(START, time(9, 30), tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert congress.registration_closes_at == congress.starts_at


@pytest.mark.parametrize(("changes", "field"), [
    ({"slug": "manage"}, "slug"),
    ({"slug": "Met Spaties"}, "slug"),
    ({"title_nl": ""}, "title_nl"),
    ({"ends_on": "2000-01-01"}, "ends_on"),
    ({"starts_on": "morgen"}, "starts_on"),
    ({"capacity": "99999999999999999999999999"}, "capacity"),
    ({"capacity": "-5"}, "capacity"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"contact_email": "nee"}, "contact_email"),
    ({"title_nl": "a" * 201}, "title_nl"),
    ({"registration_opens_at": (START - timedelta(days=1)).isoformat() + "T10:00",
      "registration_closes_at": (START - timedelta(days=2)).isoformat() + "T10:00"}, "registration_closes_at"),
])
def test_refusals_are_shown_next_to_their_field(staff, changes, field):
    answer = staff.post("/manage/editions/new", data={**FORM, **changes})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert db.session.query(Congress).count() == 0


def test_nul_bytes_never_reach_the_database(staff):
    answer = staff.post("/manage/editions/new", data={**FORM, "title_nl": "Nieuw\x00 congres", "venue_name": "\x00"})
    assert answer.status_code == 302
    congress = congress_by_slug("congres-nieuw")
    assert "\x00" not in congress.title_nl + congress.venue_name


def test_a_duplicate_slug_is_refused_next_to_the_slug(staff):
    make_congress("congres-nieuw")
    answer = staff.post("/manage/editions/new", data=FORM)
    assert answer.status_code == 422 and 'id="slug-error"' in answer.get_data(as_text=True)


def test_settings_show_and_save_every_field(staff):
    congress = make_congress("instellingen")
    page = staff.get("/manage/instellingen/settings").get_data(as_text=True)
    assert 'value="Testcongres' in page and "Tracks" in page or "Sporen" in page
    data = {k: v for k, v in FORM.items() if k != "slug"}
    data["registration_opens_at"] = (date.today() - timedelta(days=1)).isoformat() + "T08:00"
    saved = staff.post("/manage/instellingen/settings", data=data)
    assert saved.status_code == 302
    db.session.refresh(congress)
    assert (congress.title_en, congress.tagline_nl, congress.venue_name) == ("New congress", "Kennis delen",
                                                                             "Jaarbeurs Utrecht")
    assert congress.registration_opens_at.astimezone(ZoneInfo("Europe/Amsterdam")).time() == time(8, 0)
    again = staff.post("/manage/instellingen/settings", data={**data, "ends_on": "1999-01-01"})
    assert again.status_code == 422 and 'id="ends_on-error"' in again.get_data(as_text=True)


def test_the_status_change_asks_for_confirmation_saying_what_it_does(staff):
    congress = make_congress("status", status="draft")
    asked = staff.post("/manage/status/status", data={"status": "published", "expected": "draft"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in html
    assert "visible to everyone" in html or "voor iedereen zichtbaar" in html
    db.session.refresh(congress)
    assert congress.status == "draft"  # nothing changed yet
    done = staff.post("/manage/status/status", data={"status": "published", "expected": "draft", "confirm": "yes"})
    assert done.status_code == 303
    db.session.refresh(congress)
    assert congress.status == "published"


def test_forged_stale_or_disallowed_moves_change_nothing(staff):
    congress = make_congress("vals", status="published")
    for data in ({"status": "archived", "expected": "published", "confirm": "yes"},
                 {"status": "draft", "expected": "published", "confirm": "yes"},
                 {"status": "weg\x00", "expected": "published", "confirm": "yes"},
                 {"status": "closed", "expected": "draft", "confirm": "yes"},
                 {}):
        answer = staff.post("/manage/vals/status", data=data)
        assert answer.status_code in (302, 303), data
        db.session.refresh(congress)
        assert congress.status == "published"
    refused = staff.post("/manage/vals/status", data={"status": "archived", "expected": "published"})
    assert refused.status_code == 200 and 'name="confirm"' not in refused.get_data(as_text=True)


def test_an_archived_edition_is_read_only_in_the_back_office(staff):
    make_congress("oud", status="archived")
    page = staff.get("/manage/oud/settings").get_data(as_text=True)
    assert "<form method=\"post\" action=\"/manage/oud/settings\"" not in page
    for url, data in (("/manage/oud/settings", {**FORM, "slug": ""}),
                      ("/manage/programme/oud/tracks/new", {"name_nl": "Nieuw", "name_en": "New"}),
                      ("/manage/oud/status", {"status": "closed", "expected": "archived", "confirm": "yes"})):
        answer = staff.post(url, data=data)
        assert answer.status_code == 403, url
        assert "archived" in answer.get_data(as_text=True) or "gearchiveerd" in answer.get_data(as_text=True)
    assert congress_by_slug("oud").tracks.__len__() == 2


def test_the_knowledge_archive_still_works_on_an_archived_edition(staff):
    make_congress("archief", day=date.today() - timedelta(days=30), status="archived")
    answer = staff.post("/manage/kennisbank/sessions/archief", data={"all": "1"})
    assert answer.status_code == 302  # not refused as read-only


@pytest.mark.parametrize("url", ["/manage/editions/new", "/manage/bewaakt/settings"])
def test_the_pages_are_for_organisers_only(app, client, url):
    make_congress("bewaakt")
    assert client.get(url).status_code in (302, 401)
    checkin = make_user("checkin", email="scan@example.org")
    assert app.test_client(user=checkin).get(url).status_code == 403
    assert app.test_client(user=checkin).post("/manage/bewaakt/status", data={"status": "closed"}).status_code == 403


def test_the_dashboard_lists_closed_editions_and_their_settings_are_one_click_from_the_cockpit(staff):
    make_congress("gesloten", status="closed")
    html = staff.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/gesloten/"' in html and "/manage/editions/new" in html and "Gesloten" in html
    assert "/manage/gesloten/settings" in staff.get("/manage/gesloten/").get_data(as_text=True)
