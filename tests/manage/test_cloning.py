"""The clone page /manage/<slug>/clone (endpoint ``manage.cloning.clone``): prefilled from the source, says
what will and will not be copied, clones the demo's past edition and lands on the new edition's settings (the
dashboard until they exist); refusals next to the field, never a 500."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from congress.core.models import Congress
from congress.core.services import congress_by_slug
from congress.extensions import db
from congress.programme import queries as programme
from congress.registration import queries as registration
from tests.core.cloning_factories import count, past_edition, rows_of
from tests.factories import make_user

URL = "/manage/congres-2024/clone"


@pytest.fixture
def source(app):
    return past_edition()


@pytest.fixture
def organiser_client(app, organiser):
    return app.test_client(user=organiser)


def form(**overrides) -> dict:
    values = {"slug": "congres-2026", "starts_on": "2026-11-12", "title_nl": "Congres Veerkrachtige 2026",
              "title_en": "Congress on a Resilient Society 2026"}
    values.update(overrides)
    return values


def editions() -> int:
    return db.session.scalar(sa.select(sa.func.count(Congress.id)))


def error_of(html: str, name: str) -> str:
    found = re.search(rf'id="{name}-error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def test_the_endpoint_and_its_address(app, source):
    with app.test_request_context():
        assert url_for("manage.cloning.clone", slug="congres-2024") == URL


def test_the_page_is_prefilled_a_year_on_and_says_what_will_be_copied(source, organiser_client):
    response = organiser_client.get(URL + "?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="congres-2025"' in html  # free, so suggested
    assert 'value="2025-05-22"' in html  # 52 weeks on: a Thursday again
    assert 'value="Congres Veerkrachtige &amp; Weerbare Samenleving 2025"' in html
    assert 'value="Congress on a Resilient Society 2025"' in html
    rows = dict(re.findall(r'<th class="utrecht-table__cell" scope="row">(.*?)</th>\s*'
                           r'<td class="utrecht-table__cell utrecht-table__cell--numeric">(\d+)</td>', html))
    assert rows["Tracks"] == "4" and rows["Rooms, with their availability"] == "5"
    assert rows["Sign-up rounds"] == "2" and rows["Sectors of the registration form"] == "7"
    assert rows["Sessions, moved to the new dates, without speakers (a draft programme)"] == "5"
    assert rows["Questions of the registration form"] == "2" and rows["Review criteria"] == "2"
    assert "Registrations, enrolments and waiting lists" in html and "What is not copied" in html


def test_the_page_speaks_dutch(source, organiser_client):
    html = organiser_client.get(URL + "?lang=nl").get_data(as_text=True)
    assert "Een editie klonen" in html and "Wat niet wordt gekopieerd" in html
    assert "Sporen" in html


def test_cloning_in_the_browser_makes_the_draft_and_lands_on_its_next_page(app, source, organiser_client):
    before = rows_of(source.id)
    response = organiser_client.post(URL + "?lang=en", data=form())
    assert response.status_code == 302
    with app.test_request_context():
        settings = "manage.editions.settings" in app.view_functions
        expected = url_for("manage.editions.settings", slug="congres-2026") if settings else url_for("manage.dashboard")
    assert response.headers["Location"] == expected
    db.session.expire_all()
    new = congress_by_slug("congres-2026")
    assert (new.status, new.starts_on, new.title_nl) == ("draft", date(2026, 11, 12), "Congres Veerkrachtige 2026")
    assert len(new.tracks) == 4 and len(new.rooms) == 5 and len(programme.signup_rounds(new)) == 2
    assert len(programme.all_sessions(new)) == 5 and len(registration.sectors(new)) == 7
    assert count("registrations", new.id) == count("cfp_proposals", new.id) == count("checkins", new.id) == 0
    assert rows_of(source.id) == before
    page = organiser_client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Congress on a Resilient Society 2026 has been created as a draft from congres-2024." in page


@pytest.mark.parametrize(("slug", "status", "message"), [
    ("congres-2024", 409, "Another edition already has the slug “congres-2024”."),
    ("manage", 422, "“manage” is a part of the site’s addresses; choose another slug."),
    ("Congres 2026", 422, "Use lower-case letters, digits and hyphens"),
    ("a" * 65, 422, "Field cannot be longer than 64 characters."),
    ("", 422, "This field is required."),
])
def test_a_taken_reserved_or_malformed_slug_is_refused_next_to_the_field(source, organiser_client, slug, status,
                                                                           message):
    editions_before = editions()
    response = organiser_client.post(URL + "?lang=en", data=form(slug=slug))
    assert response.status_code == status
    assert message in error_of(response.get_data(as_text=True), "slug")
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert editions() == editions_before


@pytest.mark.parametrize("starts_on", ["1999-12-31", "99999-01-01", "2026-02-30", "morgen", "", "2026-11-12T10:00"])
def test_a_start_date_that_is_no_date_or_out_of_reach_is_refused(source, organiser_client, starts_on):
    response = organiser_client.post(URL + "?lang=en", data=form(starts_on=starts_on))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "starts_on")
    assert congress_by_slug("congres-2026") is None


@pytest.mark.parametrize(("name", "value"), [("title_nl", "x" * 201), ("title_en", "   "), ("title_nl", "")])
def test_a_bad_title_is_refused_next_to_it(source, organiser_client, name, value):
    response = organiser_client.post(URL + "?lang=en", data=form(**{name: value}))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), name)
    assert congress_by_slug("congres-2026") is None


def test_nul_characters_are_taken_out_before_anything_is_checked(source, organiser_client):
    response = organiser_client.post(URL, data=form(slug="congres-\x002026", title_en="Congress\x00 2026",
                                                    starts_on="2026-11-12\x00"))
    assert response.status_code == 302
    db.session.expire_all()
    assert congress_by_slug("congres-2026").title_en == "Congress 2026"


def test_only_organisers_may_clone(app, source, client):
    assert client.get(URL).status_code == 302  # to the login page
    for role in ("reviewer", "checkin", "speaker", "track_manager"):
        user = make_user(role)
        staff = app.test_client(user=user)
        assert staff.get(URL).status_code == 403
        assert staff.post(URL, data=form()).status_code == 403
    assert congress_by_slug("congres-2026") is None


def test_an_unknown_edition_is_not_found(source, organiser_client):
    assert organiser_client.get("/manage/nergens/clone").status_code == 404
    assert organiser_client.post("/manage/nergens/clone", data=form()).status_code == 404


def test_the_new_editions_back_office_works_on_the_copied_set_up(app, source, organiser_client):
    """Every page of the new edition that takes only its slug answers (the copy is complete enough to edit)."""
    assert organiser_client.post(URL, data=form()).status_code == 302
    pages = sorted(rule.rule.replace("<slug>", "congres-2026") for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/manage/") and rule.arguments == {"slug"} and "GET" in rule.methods
                   and rule.endpoint != "manage.cockpit.csv")  # the figures' CSV needs ?part=
    assert "/manage/congres-2026/clone" in pages and "/manage/programme/congres-2026/schedule" in pages
    answers = {page: organiser_client.get(page).status_code for page in pages}
    assert {page: status for page, status in answers.items() if status != 200} == {}


def test_an_archived_edition_can_be_cloned_in_the_browser(source, organiser_client):
    """Archived editions refuse writes, but cloning only reads the source (it was 403 at the merge)."""
    source.status = "archived"
    db.session.commit()
    assert congress_by_slug(source.slug).status == "archived"
    response = organiser_client.post(URL, data=form(slug="kopie-van-archief"))
    assert response.status_code == 302, response.data[:500]
    assert congress_by_slug("kopie-van-archief") is not None
