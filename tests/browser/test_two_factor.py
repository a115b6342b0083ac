"""Two-factor sign-in on a phone (375 px): an organiser whose role requires it is led to the enrolment
page after the password and kept there; the QR code on the page (decoded with zxing-cpp) holds the key
shown beside it; a code computed from it with pyotp turns it on; the recovery codes are shown once; after
signing out, the password and a recovery code sign in, and that recovery code is refused the next time."""

from __future__ import annotations

import io
import os
import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import zxingcpp
from PIL import Image

from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import PASSWORD, make_user

SHOTS = os.environ.get("SCREENSHOTS_DIR")


def password_step(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_enrolment_on_a_phone_then_sign_in_with_a_recovery_code_once(browser, live_server, app):
    app.config["MFA_REQUIRED_ROLES"] = "admin,organiser"  # the suite's default is off; restored after the test
    user = make_user("organiser", email="twee-stappen@example.org", name="Tineke Tweestaps")
    context = _watched_context(browser, viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        password_step(page, live_server, user.email)
        page.wait_for_url(re.compile(r".*/account/security$"))
        page.goto(f"{live_server}/manage/users")  # any back-office page leads back here
        page.wait_for_url(re.compile(r".*/account/security$"))
        assert "Uw rol vereist inloggen in twee stappen" in page.content()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/two-factor-enrol-375.png", full_page=True)

        secret = page.locator("#totp-secret").inner_text().strip()
        shot = Image.open(io.BytesIO(page.locator(".totp-qr__code").screenshot()))
        decoded = zxingcpp.read_barcodes(shot)
        assert decoded, "the QR code on the page could not be read"
        uri = urlsplit(decoded[0].text)
        assert uri.scheme == "otpauth" and uri.netloc == "totp"
        assert parse_qs(uri.query)["secret"] == [secret]
        assert parse_qs(uri.query)["issuer"] == ["Congres"]

        page.fill("#code", "000000")
        page.click("main form[action$='/enrol'] button[type=submit]")
        assert "Die code klopt niet" in page.locator("#code-error").inner_text()
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("main form[action$='/enrol'] button[type=submit]")
        page.wait_for_selector(".recovery-codes")
        codes = [c.strip() for c in page.locator(".recovery-codes code").all_inner_texts()]
        assert len(codes) == 10
        assert axe_violations(page) == []
        page.get_by_role("link", name="Ik heb ze bewaard: verder").click()
        page.wait_for_url(re.compile(r".*/manage/$"))

        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_load_state()
        password_step(page, live_server, user.email)
        page.wait_for_url(re.compile(r".*/login/code$"))
        page.fill("#code", codes[0])
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r".*/manage/$"))
        assert "er zijn er nog 9" in page.content()

        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_load_state()
        password_step(page, live_server, user.email)
        page.wait_for_url(re.compile(r".*/login/code$"))
        page.fill("#code", codes[0])
        page.click("main button[type=submit]")
        assert "Die code klopt niet" in page.locator("#code-error").inner_text()
        assert page.url.endswith("/login/code")
    finally:
        context.close()
    _fail_on_csp_violations(context)
