"""axe-core finds no serious or critical violation on any back-office page the navigation crawl finds
(tests/manage/test_navigation.py), at desktop width; the cockpit and the lists for the day at phone
width too, where no chart or table may overflow the page."""

from __future__ import annotations

from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD
from tests.manage.test_navigation import back_office_pages, crawl, make_busy_edition


def _login(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_every_back_office_page_passes_axe(page, live_server, app, admin):
    congress, _ = make_busy_edition()
    found = crawl(app, app.test_client(user=admin), f"/manage/{congress.slug}/")
    pages = back_office_pages(app)
    urls = sorted({url for endpoint, url in found.items() if endpoint in pages})
    assert len(urls) > 40
    _login(page, live_server, admin.email)
    failures = {}
    for url in urls:
        page.goto(f"{live_server}{url}")
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
    assert failures == {}


def test_the_cockpit_on_a_phone(phone_page, live_server, app, organiser):
    congress, _ = make_busy_edition()
    page = phone_page
    _login(page, live_server, organiser.email)
    for path in ("", "lists/headcount", "lists/catering"):
        page.goto(f"{live_server}/manage/{congress.slug}/{path}")
        assert axe_violations(page) == [], path
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    page.goto(f"{live_server}/manage/{congress.slug}/")
    page.wait_for_function("() => document.querySelectorAll('canvas.js-cockpit-chart').length > 0")
    assert page.evaluate("() => typeof window.Chart !== 'undefined'")
