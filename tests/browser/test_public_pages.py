"""The landing page in Dutch and English: keyboard navigation, no CDN, no serious axe violations."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from congress.demo import edition_days
from tests.browser.conftest import axe_violations


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(("lang", "heading", "skip"), [
    ("nl", "Congres Veerkrachtige & Weerbare Samenleving", "Naar de inhoud"),
    ("en", "Congress on a Resilient Society", "Skip to main content"),
])
def test_landing_page(page, live_server, demo, lang, heading, skip):
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    upcoming, _past = edition_days(date.today())  # the demo is dated relative to the day it is loaded
    assert page.locator("h1").inner_text() == f"{heading} {upcoming.year}"

    # Keyboard: the first Tab reaches the skip link, Enter moves focus to the main content.
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == skip
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Styles from node_modules loaded, nothing from another host.
    assert requested_hosts == {urlparse(live_server).netloc}
    assert page.evaluate("() => document.styleSheets.length") >= 3

    assert axe_violations(page) == []


def test_edition_page_and_phone_width(phone_page, live_server, demo):
    phone_page.goto(f"{live_server}/congres-2025/")
    assert phone_page.locator("h2", has_text="Programma").count() == 1
    # No horizontal scrolling at 360 px.
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone_page) == []


def test_login_page_is_accessible_and_errors_sit_next_to_fields(page, live_server, demo):
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", "nobody@example.org")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    error = page.locator("#password-error")
    assert "incorrect" in error.inner_text()
    assert page.locator("#password").get_attribute("aria-describedby") == "password-error"
    assert page.locator("#email").input_value() == "nobody@example.org"
    assert axe_violations(page) == []


def test_a_conference_apps_feedback_link_on_a_phone(phone_page, live_server, demo):
    """schedule.json's feedback_url opens a page that says when the evaluation opens and leads to one's link."""
    schedule = phone_page.request.get(f"{live_server}/congres-2025/schedule.json").json()
    events = [e for d in schedule["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    url = next(e["feedback_url"] for e in events if "feedback_url" in e)
    phone_page.goto(live_server + urlparse(url).path)
    expect(phone_page.locator("h1")).to_contain_text("Feedback op")
    expect(phone_page.get_by_text("opent na afloop van de sessie")).to_be_visible()  # the edition is to come
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone_page) == []
    phone_page.get_by_role("link", name="Stuur mij mijn persoonlijke link").click()
    expect(phone_page).to_have_url(f"{live_server}/congres-2025/register/link")
