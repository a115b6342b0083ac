"""The edition's waiting list and the guard rails in a browser, at phone and desktop widths: a full edition's
form, the waiting person's thanks and personal page, the organiser's cancel confirmation and the publish
confirmation. axe finds no serious or critical violation; nothing scrolls sideways on a phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from congress.extensions import db
from congress.programme import services as programme
from congress.registration import services
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import PASSWORD, make_session, make_user
from tests.programme.factories import make_speaker
from tests.registration.factories import open_congress, registered

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set to look at the pages (file names: <page>-<width>.png)


def _look(page, name: str, width: int) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    assert axe_violations(page) == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize("width", [375, 1280])
def test_waiting_list_and_guard_rail_pages(app, browser, live_server, width):
    context = _watched_context(browser, viewport={"width": width, "height": 900}, is_mobile=width < 400)
    page = context.new_page()
    slug = f"wachtlijst-{width}"
    congress = open_congress(slug, capacity=1)
    services.set_waiting_list(congress, True)
    holder = registered(congress, n=1, confirmed=True).registration
    speaker = make_speaker("Petra Spreker", f"petra{width}@example.org")
    session = make_session(congress, title="Workshop Digitale weerbaarheid", start="10:00", end="11:00",
                           speakers=[speaker])
    db.session.commit()
    programme.publish(congress, None)
    session.title = "Workshop Digitale weerbaarheid in de wijk"
    db.session.commit()
    make_user("organiser", email=f"org{width}@example.org")
    try:
        page.goto(f"{live_server}/{slug}/register")
        expect(page.locator("text=Deze editie is vol.")).to_be_visible()
        _look(page, "register-full", width)
        page.fill("#name", "Yusuf Demir")
        page.fill("#email", f"yusuf{width}@example.org")
        page.select_option("#sector", label="gemeente")
        page.check("#consent_privacy")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=U staat op de wachtlijst.")
        _look(page, "thanks-waitlisted", width)

        waiting = registered(congress, n=2)
        page.goto(f"{live_server}/my/{waiting.link}")
        expect(page.locator("text=U staat op de wachtlijst, op plaats 2.")).to_be_visible()
        _look(page, "personal-waitlisted", width)

        page.goto(f"{live_server}/login")
        page.fill("#email", f"org{width}@example.org")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/manage/**")
        page.goto(f"{live_server}/manage/registrations/{slug}/{holder.id}")
        page.click("text=Aanmelding annuleren…")
        page.wait_for_selector("text=Annuleren kan niet ongedaan worden gemaakt.")
        _look(page, "cancel-confirmation", width)
        page.click("text=Ja, deze aanmelding annuleren")
        page.wait_for_selector("text=is geannuleerd")

        page.goto(f"{live_server}/manage/programme/{slug}/publish")
        page.click("main form.form button[type=submit]")
        page.wait_for_selector("#publish-confirmation")
        assert "1 spreker van een gewijzigde sessie" in page.locator("#publish-confirmation").inner_text()
        _look(page, "publish-confirmation", width)
        page.click("text=Ja, publiceren en de e-mails versturen")
        page.wait_for_selector("text=Versie 2 van het programma is gepubliceerd.")
    finally:
        context.close()
    _fail_on_csp_violations(context)
