"""Acceptance (issue 14): an organiser who never saw a command line creates and runs an edition.

The organiser (desktop, 1280 px) logs in, creates an edition from nothing, adds two tracks and two rooms,
a sign-up round with two workshops, publishes the edition and opens registration; an attendee registers
on a phone (375 px); the organiser sees the registration. The edition screens are checked with axe and
for sideways scrolling at 375 and 1280 px. (The lead adds the privacy statement and cockpit steps.)
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import PASSWORD, make_user

SLUG = "congres-browser"
DAY = date.today() + timedelta(days=100)
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to look at the pages (the file tool shows PNGs)


@pytest.fixture
def desktop(browser):
    context = _watched_context(browser, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
    _fail_on_csp_violations(context)


@pytest.fixture
def phone(browser):
    context = _watched_context(browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()
    _fail_on_csp_violations(context)


def _check(page, name: str) -> None:
    """No serious or critical axe violation, no sideways scrolling; a screenshot when asked for."""
    assert axe_violations(page) == [], page.url
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, page.url
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def _login(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")


def _save(page) -> None:
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_an_organiser_creates_publishes_and_opens_an_edition_and_someone_registers(
        app, desktop, phone, live_server):
    organiser = make_user("organiser", email="organisator@browser.example", name="Olga Organisator")
    page = desktop
    _login(page, live_server, organiser.email)

    # Create the edition from nothing.
    page.click("text=Nieuwe editie")
    page.wait_for_url("**/manage/editions/new")
    _check(page, "new")
    page.fill("#slug", SLUG)
    page.fill("#title_nl", "Congres Weerbare Wijken")
    page.fill("#title_en", "Congress on Resilient Neighbourhoods")
    page.fill("#tagline_nl", "Samen sterker in de wijk")
    page.fill("#starts_on", DAY.isoformat())
    page.fill("#starts_at_time", "09:30")
    page.fill("#ends_at_time", "16:30")
    page.fill("#venue_name", "Stadhuis Utrecht")
    page.fill("#contact_email", "congres@weerbarewijken.example")
    page.click("text=Editie aanmaken")
    page.wait_for_url(f"**/manage/{SLUG}/")  # the new edition's cockpit
    assert "als concept aangemaakt" in page.inner_text("main")
    _check(page, "cockpit-new")
    page.goto(f"{live_server}/manage/{SLUG}/settings")
    _check(page, "settings")

    # Two tracks and two rooms, from the settings page's links.
    for name_nl, name_en in (("Digitale weerbaarheid", "Digital resilience"), ("Netwerken", "Networks")):
        page.goto(f"{live_server}/manage/{SLUG}/settings")
        page.click("main a:text-is('Tracks') >> visible=true")
        page.click("text=Nieuwe track")
        page.fill("#name_nl", name_nl)
        page.fill("#name_en", name_en)
        _save(page)
        assert name_nl in page.inner_text("main")
    for name, capacity in (("Zaal Dom", "30"), ("Zaal Vecht", "20")):
        page.goto(f"{live_server}/manage/{SLUG}/settings")
        page.click("main a:text-is('Zalen') >> visible=true")
        page.click("text=Nieuwe zaal")
        page.fill("#name", name)
        page.fill("#capacity", capacity)
        _save(page)
        assert name in page.inner_text("main")

    # A sign-up round with two workshops.
    page.goto(f"{live_server}/manage/{SLUG}/settings")
    page.click("main a:text-is('Inschrijfrondes') >> visible=true")
    page.fill("#name_nl", "Workshopronde 1")
    page.fill("#name_en", "Workshop round 1")
    _save(page)
    assert "Workshopronde 1" in page.inner_text("main")
    for title, track, room in (("Mediawijsheid in de klas", "Digitale weerbaarheid", "Zaal Dom (30)"),
                               ("Buurtnetwerken die dragen", "Netwerken", "Zaal Vecht (20)")):
        page.goto(f"{live_server}/manage/{SLUG}/settings")
        page.click("main a:text-is('Sessies en programma') >> visible=true")
        page.click("text=Nieuwe sessie")
        page.fill("#title", title)
        page.select_option("#format", "workshop")
        page.select_option("#track_id", label=track)
        page.select_option("#room_id", label=room)
        page.fill("#starts_at", f"{DAY.isoformat()}T11:00")
        page.fill("#ends_at", f"{DAY.isoformat()}T12:00")
        page.select_option("#signup_round_id", label="Workshopronde 1")
        page.fill("#new_speaker_name", "Sanne Spreker")
        _save(page)
        assert title in page.inner_text("main"), page.inner_text("main")

    # The privacy statement, from the cockpit's menu: the default text, with the edition's own addition.
    page.goto(f"{live_server}/manage/{SLUG}/")
    link = page.locator("a:text-is('Privacyverklaring en bewaartermijn')")
    if not link.is_visible():  # the menu is folded on a narrow screen
        page.click("summary:has-text('Menu van')")
    link.click()
    page.wait_for_url(f"**/manage/{SLUG}/privacy")
    statement = page.input_value("#privacy_nl")
    page.fill("#privacy_nl", statement + "\n\n## Foto's\n\n"
              "Tijdens het congres maakt de organisatie foto's van de zalen.")
    page.click("main button:text-is('Opslaan'), main input[value='Opslaan']")
    page.goto(f"{live_server}/manage/{SLUG}/privacy")
    assert "Tijdens het congres maakt de organisatie" in page.input_value("#privacy_nl")

    # Open registration (from now until the edition starts) and publish, with the confirmation step.
    page.goto(f"{live_server}/manage/{SLUG}/settings")
    opens = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=1)
    page.fill("#registration_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    page.click("text=Instellingen opslaan")
    page.wait_for_url(f"**/manage/{SLUG}/settings")
    assert "De instellingen zijn opgeslagen" in page.inner_text("main")
    page.click("button:has-text('Publiceren')")
    page.wait_for_url(f"**/manage/{SLUG}/status")
    page.wait_for_selector("main :text('voor iedereen zichtbaar')")  # the whole page, not the first bytes
    _check(page, "status")
    page.click("button:has-text('Ja, wijzig de status in Gepubliceerd')")
    page.wait_for_url(f"**/manage/{SLUG}/settings")
    assert "Gepubliceerd" in page.inner_text("main") and "Aanmelding: open" in page.inner_text("main")

    # An attendee registers on a phone.
    phone.goto(f"{live_server}/{SLUG}/")
    _check(phone, "public-edition")
    phone.click("main a:text-is('Aanmelden')")
    phone.wait_for_url(f"**/{SLUG}/register")
    _check(phone, "register")
    phone.fill("#name", "Fatima Benali")
    phone.fill("#email", "fatima@deelnemer.example")
    phone.locator("input[type=radio]", has_text="").first.check()
    # The consent links to the edition's privacy statement, which says what the organiser wrote.
    with phone.context.expect_page() as statement_page:
        phone.click("a:has-text('Lees de privacyverklaring')")
    statement = statement_page.value
    statement.wait_for_load_state()
    assert f"/{SLUG}/privacy" in statement.url
    assert "Tijdens het congres maakt de organisatie foto's van de zalen." in statement.inner_text("main")
    statement.close()
    phone.check("#consent_privacy")
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r".*/register/thanks$"))

    # The organiser sees the registration: in the list, and counted on the cockpit.
    page.goto(f"{live_server}/manage/registrations/{SLUG}/")
    assert "Fatima Benali" in page.inner_text("main")
    page.goto(f"{live_server}/manage/{SLUG}/")
    _check(page, "cockpit")
    figures = page.request.get(f"{live_server}/manage/{SLUG}/figures.csv?part=status").text()
    rows = list(csv.reader(io.StringIO(figures.lstrip("\ufeff")), delimiter=";"))  # Dutch spreadsheets
    assert sum(int(row[-1]) for row in rows[1:] if row and row[-1].isdigit()) == 1, figures


@pytest.mark.parametrize("width", [375, 1280])
def test_the_edition_screens_are_accessible_at_phone_and_desktop_widths(app, browser, live_server, width):
    organiser = make_user("organiser", email=f"org{width}@browser.example")
    context = _watched_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        _login(page, live_server, organiser.email)
        page.goto(f"{live_server}/manage/editions/new")
        page.fill("#slug", f"maat-{width}")
        page.fill("#title_nl", "Maatwerk")
        page.fill("#starts_on", "1999-13-45")  # refused next to the field
        page.click("text=Editie aanmaken")
        expect(page.locator("#starts_on-error")).to_be_visible()
        _check(page, "new-errors")
        page.fill("#starts_on", DAY.isoformat())
        page.click("text=Editie aanmaken")
        page.wait_for_url(f"**/manage/maat-{width}/")
        page.goto(f"{live_server}/maat-{width}/")
        expect(page.locator(".draft-preview")).to_be_visible()
        _check(page, "draft-preview")
    finally:
        context.close()
    _fail_on_csp_violations(context)
