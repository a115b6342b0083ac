"""An organiser clones the past edition in the browser, on a phone and on a desktop: the form beside what
will be copied, a refusal next to the field, then the new draft edition. axe finds no serious or critical
violation; neither width scrolls sideways."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from congress.core.services import congress_by_slug
from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.core.cloning_factories import past_edition
from tests.factories import PASSWORD, make_user

SHOTS = os.environ.get("CLONING_SCREENSHOTS")  # a folder: save what the widths look like, to look at


@pytest.mark.parametrize("width", [375, 1280])
def test_an_organiser_clones_the_past_edition(browser, live_server, app, width):
    past_edition()
    make_user("organiser", email=f"kloon{width}@example.org")
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 400)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#email", f"kloon{width}@example.org")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/manage/**")
        page.goto(f"{live_server}/manage/congres-2024/clone")
        assert page.input_value("#slug") == "congres-2025"
        assert axe_violations(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/clone-{width}.png", full_page=True)
        page.fill("#slug", "manage")
        page.click("#submit")
        expect(page.locator("#slug-error")).to_be_visible()
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/clone-error-{width}.png", full_page=True)
        page.fill("#slug", f"congres-{width}")
        page.fill("#starts_on", "2026-11-12")
        page.click("#submit")
        page.wait_for_url("**/manage/**")
        assert "has been created as a draft from congres-2024" in page.inner_text("main")
    finally:
        context.close()
    db.session.expire_all()
    new = congress_by_slug(f"congres-{width}")
    assert new is not None and new.status == "draft" and len(new.tracks) == 4
