"""An organiser opens the demo's reach report from the back-office menu on a phone and on a desktop:
the figures, charts beside their tables, the downloads linked, the municipalities page (add one, remove
it); no serious axe violation, nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from congress.core import queries as core
from congress.reports import reach
from tests.browser.conftest import axe_violations, sign_in_staff


def _fits(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_the_reach_report_of_the_demo(app, runner, page, live_server, organiser, width):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    past = core.congress_by_slug("congres-2024")
    with app.test_request_context():
        figures = reach.report(past, "nl")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_staff(page, live_server, organiser.email)

    page.goto(f"{live_server}/manage/{past.slug}/")  # the cockpit: the edition's menu unfolded
    page.locator(".back-nav").get_by_role("link", name="Bereiksrapportage", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bereiksrapportage")
    expect(page.locator('[data-figure="registered"]')).to_have_text(str(figures.registered))
    expect(page.locator('[data-figure="attended"]')).to_have_text(str(figures.attended))
    expect(page.get_by_role("heading", name="Per gemeente")).to_be_visible()
    expect(page.get_by_role("region", name="Per gemeente").get_by_role("rowheader", name="Utrecht")).to_be_visible()
    expect(page.locator(".evaluation-chart").first).to_be_visible()
    expect(page.get_by_role("link", name="Downloaden (PDF)")).to_be_visible()
    assert not axe_violations(page)
    _fits(page, width)

    page.get_by_role("link", name="Gemeenten", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gemeenten")
    assert not axe_violations(page)
    page.fill("#code", "GM0153")
    page.fill("#name", "Enschede")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator(".flashes")).to_contain_text("Enschede (GM0153) is toegevoegd.")
    page.get_by_role("button", name="Enschede verwijderen").click()
    expect(page.locator(".flashes")).to_contain_text("De gemeente is verwijderd.")
    page.get_by_role("button", name="Utrecht verwijderen").click()  # the demo's registrations name it
    expect(page.locator(".flashes")).to_contain_text("Utrecht wordt genoemd door")
    assert not axe_violations(page)
    _fits(page, width)
