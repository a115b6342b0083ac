"""Single sign-on in a real browser, at 375 and 1280 px: the login page's "Inloggen met Rijksaccount" leads
to the OpenID provider (the certified ``oidc-provider``, run with node on 127.0.0.1), whose sign-in and
consent forms are filled in; back at Congres the organiser is signed in with the role the group gives.
A person without a mapped group gets the clear refusal page. Both pages are axe-clean, without sideways
scrolling on a phone."""

from __future__ import annotations

import json
import os
import re

import pytest
from playwright.sync_api import expect

from congress.accounts import oidc
from tests.accounts.oidc_support import CLIENT_ID, CLIENT_SECRET, start_provider, stop_provider
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import make_congress

SHOTS = os.environ.get("SCREENSHOTS_DIR")


@pytest.fixture(scope="module")
def provider(live_server):
    started = start_provider(f"{live_server}/login/oidc/callback")
    yield started
    stop_provider(started)


@pytest.fixture
def sso(app, live_server, provider):
    oidc.forget_provider()
    make_congress("congres-2026")
    app.config.update(
        PUBLIC_BASE_URL=live_server, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_PROVIDER_NAME="Rijksaccount", OIDC_SCOPES="openid email profile groups",
        OIDC_ROLE_MAP=json.dumps({"congres-organisatie": {"role": "organiser", "edition": "congres-2026"}}),
    )
    yield provider
    oidc.forget_provider()


def at_the_provider(page, login: str) -> None:
    """The provider's development forms: any login and password, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("wachtwoord-bij-de-aanbieder")
    page.locator("button[type=submit]").first.click()
    consent = page.locator("button[type=submit]", has_text="Continue")
    expect(consent).to_be_visible()
    consent.click()


@pytest.mark.parametrize("width", [375, 1280])
def test_an_organiser_signs_in_with_the_providers_account(browser, live_server, sso, width):
    context = _watched_context(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        button = page.get_by_role("link", name="Inloggen met Rijksaccount")
        expect(button).to_be_visible()
        assert axe_violations(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/sso-login-{width}.png", full_page=True)
        button.click()
        expect(page.locator("input[name=login]")).to_be_visible()
        assert page.url.startswith(sso.issuer)
        at_the_provider(page, "anna")
        page.wait_for_url(re.compile(r".*/manage/$"))
        expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
        page.goto(f"{live_server}/account/sessions")
        expect(page.locator("main table tbody tr")).to_have_count(1)  # this browser's session, begun by the sign-on
        _fail_on_csp_violations(context)
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_someone_without_a_mapped_group_sees_why(browser, live_server, sso, width):
    context = _watched_context(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login/oidc")
        expect(page.locator("input[name=login]")).to_be_visible()
        at_the_provider(page, "carla")
        refusal = page.locator("#oidc-refusal")
        expect(refusal).to_be_visible()
        assert "carla.smit@minbzk.example" in refusal.inner_text()
        expect(page.get_by_role("heading", name="U bent niet ingelogd")).to_be_visible()
        assert axe_violations(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/sso-refused-{width}.png", full_page=True)
        _fail_on_csp_violations(context)
    finally:
        context.close()
