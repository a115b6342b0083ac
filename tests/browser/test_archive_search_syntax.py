"""The search syntax, word forms and "did you mean" in a browser, at 375 and 1280 px, in Dutch and
English, and the editors' synonym page: the issue's examples give results, axe finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff

TEXTS = {
    "nl": {"results": "resulta", "help": "Zo zoekt u", "mean": "Bedoelde u:", "search": "Zoeken"},
    "en": {"results": "result", "help": "How to search", "mean": "Did you mean:", "search": "Search"},
}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(params=[375, 1280], ids=["phone", "desktop"])
def sized_page(request, browser):
    width = request.param
    options = {"viewport": {"width": width, "height": 800}}
    if width < 600:
        options.update(is_mobile=True, has_touch=True)
    context = _watched_context(browser, **options)
    page = context.new_page()
    page.width = width
    yield page
    context.close()
    _fail_on_csp_violations(context)


def _search(page, text: str, query: str) -> None:
    page.fill("#q", query)
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text=text).first.click()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_examples_give_results_and_did_you_mean_works(sized_page, live_server, demo, lang):
    page, text = sized_page, TEXTS[lang]
    page.goto(f"{live_server}/kennisbank/?lang={lang}")
    # The syntax is explained on the page.
    page.locator("summary", has_text=text["help"]).click()
    expect(page.locator(".archive-syntax code", has_text="radicalisering OR polarisatie")).to_be_visible()
    for query in ["polariseren", "polarisatie AND jongeren", "radicalisering OR polarisatie -wijk",
                  '"digitale weerbaarheid" -ouders', "jeugd"]:
        _search(page, text["search"], query)
        expect(page.locator("#q")).to_have_value(query)
        expect(page.locator("#results-heading")).to_contain_text(text["results"])
        expect(page.locator(".archive-hit").first).to_be_visible()
        assert page.locator(".archive-hit mark").count() > 0, query
    # A misspelling: nothing found, a suggestion as a link that finds items.
    _search(page, text["search"], "polarsatie")
    suggestion = page.locator(".archive-suggestion a")
    expect(page.locator(".archive-suggestion")).to_contain_text(text["mean"])
    expect(suggestion).to_have_text("polarisatie")
    assert axe_violations(page) == []
    suggestion.click()
    expect(page.locator(".archive-hit").first).to_be_visible()
    expect(page.locator("#q")).to_have_value("polarisatie")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.width
    assert axe_violations(page) == []


def test_editors_keep_the_synonyms(page, live_server, demo, organiser):
    sign_in_staff(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/kennisbank/")
    page.locator(".sub-nav a", has_text="Zoeksynoniemen").click()
    expect(page.locator("h1")).to_have_text("Kennisbank: synoniemen voor het zoeken")
    assert axe_violations(page) == []
    page.get_by_label("Woorden die hetzelfde betekenen").first.fill("wijkaanpak")
    page.locator("button", has_text="Toevoegen").click()
    expect(page.locator(".utrecht-form-field-error-message")).to_contain_text("twee of meer")
    assert axe_violations(page) == []
    page.get_by_label("Woorden die hetzelfde betekenen").first.fill("Woensel, wijkaanpak")
    page.locator("button", has_text="Toevoegen").click()
    expect(page.locator("text=De woorden zijn aan het zoeken toegevoegd.")).to_be_visible()
    page.goto(f"{live_server}/kennisbank/?q=wijkaanpak")
    expect(page.locator(".archive-hit").first).to_be_visible()
