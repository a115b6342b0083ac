"""The staff, person and token pages pass axe at phone and desktop widths, and the token's secret is
shown once after creating it in the browser."""

from __future__ import annotations

import os

import pytest

from congress.accounts import services
from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_congress, make_user

SHOTS = os.environ.get("SCREENSHOTS_DIR")


def _login(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_staff_and_token_pages_are_accessible(browser, live_server, app, width):
    a = make_congress("editie-a")
    admin = make_user("admin", email="beheer@example.org", name="Beheerder")
    person = make_user(email="tineke@example.org", name="Tineke de Vries")
    services.grant_role(person, "track_manager", track_ids=(a.tracks[0].id,))
    services.grant_role(person, "checkin", congress_ids=(a.id,))
    db.session.commit()
    services.create_api_token("scanner zaal 1", "checkin")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        _login(page, live_server, admin.email)
        for name, path in (("users", "/manage/users"), ("person", f"/manage/users/{person.id}"),
                           ("tokens", "/manage/tokens")):
            page.goto(f"{live_server}{path}")
            assert axe_violations(page) == [], path
            _shot(page, f"{name}-{width}")
        page.get_by_label("Naam").fill("scanner zaal 2")
        page.get_by_role("button", name="Token maken").click()
        secret = page.locator("#new-token-secret").input_value()
        assert secret.startswith("cgr_")
        assert axe_violations(page) == []
        _shot(page, f"token-created-{width}")
        page.get_by_role("link", name="Intrekken scanner zaal 2").click()
        assert axe_violations(page) == []
        _shot(page, f"token-revoke-{width}")
        page.get_by_role("button", name="Token intrekken").click()
        db.session.commit()
        assert services.api_token_for(secret, "checkin") is None
    finally:
        context.close()
