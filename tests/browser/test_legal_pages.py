"""The legal pages in a browser: the privacy statement (from the registration form's consent, on a
phone), the accessibility statements and the organisers' editor with its preview, at phone and
desktop widths; axe finds no serious or critical violation and nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_user
from tests.registration.factories import open_congress

SHOTS = os.environ.get("LEGAL_SCREENSHOTS")  # a folder: the test also saves screenshots there


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_attendee_on_a_phone_opens_the_statement_from_the_consent(phone_page, live_server, app):
    congress = open_congress("browser-privacy")
    phone_page.goto(f"{live_server}/{congress.slug}/register")
    link = phone_page.get_by_role("link", name="Lees de privacyverklaring (opent in een nieuw venster)")
    with phone_page.context.expect_page() as opened:
        link.click()
    statement = opened.value
    statement.wait_for_load_state()
    assert statement.locator("h1").inner_text() == "Privacyverklaring"
    expect(statement.get_by_role("heading", name="Uw rechten")).to_be_visible()
    _no_sideways_scroll(statement, 360)
    _shot(statement, "privacy-phone")
    assert axe_violations(statement) == []


@pytest.mark.parametrize(("path", "width"), [("/toegankelijkheid", 360), ("/accessibility", 1280)])
def test_accessibility_statements(browser, live_server, app, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    assert page.locator("h2").count() == 6
    _no_sideways_scroll(page, width)
    _shot(page, f"accessibility-{width}")
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_organiser_edits_previews_and_saves_the_statement(browser, live_server, app, width):
    congress = open_congress(f"browser-legal-{width}")
    make_user("organiser", email=f"legal-{width}@example.org")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", f"legal-{width}@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")
    page.goto(f"{live_server}/manage/{congress.slug}/privacy")
    assert "## Wie is verantwoordelijk?" in page.locator("#privacy_nl").input_value()
    _no_sideways_scroll(page, width)
    assert axe_violations(page) == []
    page.fill("#privacy_nl", "## Onze afspraken\n\nWij bewaren niets langer dan nodig.")
    page.fill("#retention_months", "6")
    page.click("#preview")
    expect(page.get_by_role("heading", name="Onze afspraken")).to_be_visible()
    _shot(page, f"manage-privacy-preview-{width}")
    assert axe_violations(page) == []
    page.fill("#retention_months", "0")
    page.click("#submit")
    expect(page.locator("#retention_months-error")).to_be_visible()
    assert axe_violations(page) == []
    page.fill("#retention_months", "6")
    page.click("#submit")
    expect(page.get_by_text("De privacyverklaring en de bewaartermijn zijn opgeslagen.")).to_be_visible()
    page.goto(f"{live_server}/{congress.slug}/privacy")
    expect(page.get_by_role("heading", name="Onze afspraken")).to_be_visible()
    context.close()
