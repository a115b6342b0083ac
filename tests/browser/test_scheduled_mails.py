"""An organiser plans the mail before the congress and the one after it, looks at the preview and
pauses one, at phone and desktop width; axe finds nothing serious, nothing scrolls sideways."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from congress.database import utcnow
from congress.extensions import db
from tests.browser.conftest import _watched_context, axe_violations, sign_in_staff
from tests.factories import make_user
from tests.registration.factories import open_congress, registered

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def _shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_an_organiser_plans_previews_and_pauses_scheduled_mails(browser, live_server, app, width):
    congress = open_congress(f"gepland-browser-{width}")
    congress.starts_on = congress.ends_on = utcnow().date() + timedelta(days=20)
    db.session.commit()
    registered(congress, name="Fatima el Amrani", email=f"fatima-{width}@gemeente.nl", confirmed=True)
    organiser = make_user("organiser", email=f"gepland-{width}@example.org")
    context = _watched_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in_staff(page, live_server, organiser.email)
        page.goto(f"{live_server}/manage/{congress.slug}/mailings/scheduled")
        expect(page.get_by_text("Nog geen geplande mails.")).to_be_visible()
        assert axe_violations(page) == []
        page.click("text=Nieuwe mail voor het congres")
        expect(page.locator("#subject_nl")).to_have_value("Over een paar dagen: {{ edition }}")
        page.fill("#days", "120")  # beyond the 90 days
        page.click("main button[type=submit]")
        expect(page.locator("#days-error")).to_be_visible()
        assert axe_violations(page) == []
        page.fill("#days", "3")
        page.click("main button[type=submit]")
        expect(page.get_by_text("De geplande mail is opgeslagen.")).to_be_visible()
        expect(page.get_by_text("Voor Fatima el Amrani")).to_be_visible()
        expect(page.locator(".mailing-preview__subject")).to_contain_text("Over een paar dagen:")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        expect(page.frame_locator(".mailing-preview__html").get_by_text("Beste Fatima el Amrani,")).to_be_visible()
        _shot(page, f"scheduled-mail-{width}")
        page.click("main button:text-is('Pauzeren')")
        expect(page.locator(".status-tag--paused")).to_be_visible()
        page.goto(f"{live_server}/manage/{congress.slug}/mailings/scheduled")
        expect(page.get_by_text("3 dagen voor de start")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
    finally:
        context.close()
