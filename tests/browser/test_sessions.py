"""A session ended from another browser is signed out at its next request (two Chromium contexts,
each its own cookie jar, against the live server); the sessions page passes axe."""

from __future__ import annotations

import os
import re

from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff
from tests.factories import make_user

SHOTS = os.environ.get("SCREENSHOTS_DIR")


def test_a_session_ended_from_another_browser_is_signed_out(browser, live_server, app):
    user = make_user("organiser", email="twee-browsers@example.org", name="Tamara Twee")
    laptop_context = _watched_context(browser, viewport={"width": 1280, "height": 900})
    phone_context = _watched_context(browser, viewport={"width": 375, "height": 800}, is_mobile=True,
                                     user_agent=("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                                                 "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"))
    try:
        laptop, phone = laptop_context.new_page(), phone_context.new_page()
        sign_in_staff(laptop, live_server, user.email)
        sign_in_staff(phone, live_server, user.email)
        laptop.goto(f"{live_server}/account/sessions")
        rows = laptop.locator("tbody tr")
        assert rows.count() == 2
        assert laptop.get_by_text("Chrome op Android").count() == 1
        assert laptop.get_by_text("(deze sessie)").count() == 1
        assert axe_violations(laptop) == []
        if SHOTS:
            laptop.screenshot(path=f"{SHOTS}/sessions-1280.png", full_page=True)
        phone_row = laptop.locator("tbody tr", has_text="Chrome op Android")
        phone_row.get_by_role("button", name=re.compile("^Afmelden")).click()
        laptop.wait_for_url(re.compile(r".*/account/sessions$"))
        assert "Die sessie is afgemeld." in laptop.content()
        assert laptop.locator("tbody tr").count() == 1

        phone.goto(f"{live_server}/manage/")  # its next request
        phone.wait_for_url(re.compile(r".*/login.*"))
        assert "Je sessie is beëindigd" in phone.content()
        laptop.goto(f"{live_server}/manage/")
        assert "/manage/" in laptop.url  # the laptop stays signed in
    finally:
        laptop_context.close()
        phone_context.close()
    _fail_on_csp_violations(laptop_context)
    _fail_on_csp_violations(phone_context)
