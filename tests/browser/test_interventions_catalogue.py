"""The catalogue of interventions and an intervention's page in a browser, at 375 and 1280 px: filters
chosen without JavaScript give a shareable URL, the level is a badge, nothing scrolls sideways, and axe
finds no serious or critical violation; the editor's form with the levels and their explanations too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD

SHOTS = os.environ.get("INTERVENTION_SCREENSHOTS")  # a folder: the test also saves screenshots there


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    return result


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_catalogue_and_item_page(browser, live_server, demo, width):
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/kennisbank/")
        page.get_by_role("link", name="Interventies").first.click()
        expect(page.get_by_role("heading", level=1, name="Interventies")).to_be_visible()
        assert "interventies" in page.locator("#results-heading").inner_text()
        assert page.locator(".level-badge").count() >= 5
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        _shot(page, f"catalogue-{width}")
        assert axe_violations(page) == []

        page.locator("fieldset:has(legend:text('Erkenningsniveau')) label:has-text('Goed beschreven')").click()
        page.get_by_role("button", name="Filters toepassen").click()
        expect(page.get_by_role("link", name="Filter Erkenningsniveau: Goed beschreven verwijderen")).to_be_visible()
        assert "level=goed_beschreven" in page.url
        titles = page.locator(".catalogue-entry__title").all_inner_texts()
        assert "Training digitale weerbaarheid voor jongerenwerkers" in titles
        badges = page.locator(".catalogue-entry .level-badge").all_inner_texts()
        assert len(badges) == len(titles) and all("Goed beschreven" in text for text in badges)
        assert axe_violations(page) == []

        page.get_by_role("link", name="Training digitale weerbaarheid voor jongerenwerkers").click()
        expect(page.get_by_role("heading", level=2, name="De interventie")).to_be_visible()
        expect(page.locator(".archive-item__level .level-badge")).to_contain_text("Goed beschreven")
        assert page.get_by_role("link", name="De beschrijving in de landelijke databank effectieve interventies"
                                ).get_attribute("href").startswith("https://")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        _shot(page, f"intervention-{width}")
        assert axe_violations(page) == []

        page.goto(f"{live_server}/kennisbank/interventies?lang=en&level=effectief_eerste"
                  "&factor=positieve+identiteitsontwikkeling")
        expect(page.get_by_role("heading", level=1, name="Interventions")).to_be_visible()
        # The demo gives this intervention an English title: the English catalogue shows it.
        assert "Eigen Koers mentoring programme" in page.locator(".catalogue-list").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_editor_form_with_the_levels(page, live_server, app, organiser, demo):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(organiser.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/manage/kennisbank/new")
    expect(page.get_by_role("group", name="Erkenningsniveau (interventies)")).to_be_visible()
    page.get_by_label("Effectief – goede aanwijzingen").check()
    page.get_by_label("Titel (Nederlands)").fill("Oudercursus in de wijk")
    page.get_by_label("Beschrijving in de landelijke databank").fill("javascript:alert(1)")
    _shot(page, "editor-form-1280")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Geef een adres dat begint met https://.")).to_be_visible()
    assert page.get_by_label("Effectief – goede aanwijzingen").is_checked()  # nothing is lost
    assert axe_violations(page) == []
