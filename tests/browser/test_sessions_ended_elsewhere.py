"""Issue 15's acceptance in a real browser: a staff session ended from another browser is signed out at
its next request, and /account/sessions lists both sessions with their device (axe clean)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in_staff
from tests.factories import make_user

pytestmark = pytest.mark.browser
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_session_ended_from_another_browser_is_signed_out_at_its_next_request(browser, live_server, app, width):
    organiser = make_user("organiser", email=f"twee-browsers-{width}@example.org", name="Olga Organisator")
    laptop = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    phone = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL", is_mobile=True,
                                user_agent=IPHONE)
    try:
        on_laptop, on_phone = laptop.new_page(), phone.new_page()
        sign_in_staff(on_phone, live_server, organiser.email)
        sign_in_staff(on_laptop, live_server, organiser.email)

        on_laptop.goto(f"{live_server}/account/sessions?lang=nl")
        expect(on_laptop.get_by_text("Safari op iOS").or_(on_laptop.get_by_text("iPhone")).first).to_be_visible()
        assert axe_violations(on_laptop) == []
        on_laptop.get_by_role("button", name="Overal afmelden behalve hier").click()
        expect(on_laptop.locator(".utrecht-alert, [role=status], .flash").first).to_be_visible()

        on_phone.goto(f"{live_server}/manage/")  # its next request
        expect(on_phone).to_have_url(f"{live_server}/login?next=/manage/")
        expect(on_phone.locator("#email")).to_be_visible()

        on_laptop.goto(f"{live_server}/manage/")  # the one that ended the others stays signed in
        expect(on_laptop).to_have_url(f"{live_server}/manage/")
    finally:
        laptop.close()
        phone.close()
