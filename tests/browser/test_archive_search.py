"""The knowledge base's search page with facets: keyboard use, phone width, no serious axe violations."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    return result


def test_search_with_facets(page, live_server, demo):
    page.goto(f"{live_server}/kennisbank/")
    assert page.locator("h1").inner_text() == "Kennisbank"
    page.fill("#q", "weerbaar")
    page.click("button[type=submit] >> text=Zoeken")
    heading = page.locator("#results-heading").inner_text()
    assert "resultaten" in heading
    assert page.locator(".archive-hit mark").count() > 0
    # Choose a facet value (without JavaScript: a checkbox and the filter button).
    page.locator("fieldset:has(legend:text('Soort')) label:has-text('Interventie')").click()
    page.click("text=Filters toepassen")
    assert "type=interventie" in page.url
    titles = page.locator(".archive-hit__title").all_inner_texts()
    assert titles and all(page.locator(".archive-hit .tag").all_inner_texts()[i] == "Interventie"
                          for i in range(len(titles)))
    assert page.locator("text=Filter Soort: Interventie verwijderen").count() == 1
    assert axe_violations(page) == []
    page.locator(".archive-hit__title a").first.click()
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_search_page_on_a_phone(phone_page, live_server, demo):
    phone_page.goto(f"{live_server}/kennisbank/?q=jongeren&lang=en")
    assert "results" in phone_page.locator("#results-heading").inner_text()
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone_page) == []
