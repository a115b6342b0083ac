"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain), on a phone (375 px):
an organiser whose role requires a second factor adds a passkey at /account/security instead of the
app code (an empty name is refused next to the button, in Dutch), signs out, signs in with the password
and the passkey, and reaches the back office; the sign-in is recorded as password+passkey. WebAuthn
needs a secure context and a domain as the relying party id (not an IP address): the page is opened on
http://localhost, which is both, and PUBLIC_BASE_URL names it for the test."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from playwright.sync_api import expect

from congress.accounts.models import Passkey
from congress.audit.models import AuditEvent
from congress.extensions import db
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import PASSWORD, make_user

SHOTS = os.environ.get("SCREENSHOTS_DIR")
AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                 "hasUserVerification": True, "isUserVerified": True}


def password_step(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_an_organiser_adds_a_passkey_then_signs_in_with_it(browser, live_server, app):
    base = f"http://localhost:{urlsplit(live_server).port}"
    app.config["PUBLIC_BASE_URL"] = base  # the relying party: localhost (restored after the test)
    app.config["MFA_REQUIRED_ROLES"] = "admin,organiser"
    user = make_user("organiser", email="sleutelbos@example.org", name="Sanne Sleutelbos")
    context = _watched_context(browser, viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

        password_step(page, base, user.email)
        page.wait_for_url(re.compile(r".*/account/security$"))
        adding = page.locator("#passkey-add")
        expect(adding).to_be_visible()  # the browser offers passkeys: the form is shown
        expect(page.locator("[data-passkey-unsupported]")).to_be_hidden()
        assert axe_violations(page) == []

        adding.locator("button[type=submit]").click()
        expect(page.locator("#passkey-add-error")).to_contain_text("Geef de passkey een naam")
        page.fill("#passkey-name", "Telefoon van Sanne")
        adding.locator("button[type=submit]").click()
        expect(page.locator(".passkey-list")).to_contain_text("Telefoon van Sanne")
        expect(page.get_by_text("De passkey ‘Telefoon van Sanne’ is toegevoegd.")).to_be_visible()
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/passkeys-security-375.png", full_page=True)

        page.goto(f"{base}/manage/")  # the passkey is the second factor the role requires
        expect(page.locator("h1")).to_be_visible()
        assert page.url.endswith("/manage/")

        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_load_state()
        password_step(page, base, user.email)
        page.wait_for_url(re.compile(r".*/login/code$"))
        button = page.get_by_role("button", name="Inloggen met een passkey")
        expect(button).to_be_visible()
        assert page.locator("#code").count() == 0  # no app code was set up: nothing to type
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/passkeys-sign-in-375.png", full_page=True)
        button.click()
        page.wait_for_url(re.compile(r".*/manage/$"))
        expect(page.get_by_text("U bent ingelogd.")).to_be_visible()

        db.session.commit()  # end the test's read transaction: see what the server wrote
        stored = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == user.id))
        assert stored.last_used_at is not None
        counted = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0]
        assert stored.sign_count == counted["signCount"] >= 1
        login = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "user.login", AuditEvent.object_id == str(user.id)).order_by(AuditEvent.id)).all()
        assert login[-1].data["method"] == "password+passkey"
    finally:
        context.close()
    _fail_on_csp_violations(context)


def test_where_the_browser_offers_no_passkeys_the_button_is_not_shown(browser, live_server, app):
    """Without window.PublicKeyCredential: no passkey button after the password, and a sentence that says
    what to do instead (this account has no app code to type)."""
    base = f"http://localhost:{urlsplit(live_server).port}"
    app.config["PUBLIC_BASE_URL"] = base
    user = make_user("reviewer", email="geen-sleutel@example.org")
    db.session.add(Passkey(user_id=user.id, name="Oude laptop", credential_id="b3VkZQ", public_key=b"cose"))
    db.session.commit()
    context = _watched_context(browser)
    context.add_init_script("delete window.PublicKeyCredential;")
    try:
        page = context.new_page()
        password_step(page, base, user.email)
        page.wait_for_url(re.compile(r".*/login/code$"))
        expect(page.get_by_text("Deze browser kan geen passkeys gebruiken")).to_be_visible()
        expect(page.locator("#passkey-sign-in")).to_be_hidden()
        assert axe_violations(page) == []
    finally:
        context.close()
    _fail_on_csp_violations(context)
