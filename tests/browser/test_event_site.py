"""The edition page as an event site, in a real browser at a phone's width and a desktop's, in Dutch and
English: the hero shows date, venue, places left and the register button; the FAQ opens without
JavaScript; the edition's accent colour is what the buttons are painted with; axe finds nothing serious;
and the organiser's screen refuses a light accent next to the field and saves a dark one."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from congress.demo import edition_days
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff

SIZES = {375: 812, 1280: 900}
MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")
TEXTS = {
    "nl": {"when": "Wanneer", "where": "Waar", "places": "Plaatsen", "register": "Aanmelden", "left": "plaatsen vrij",
           "faq": "Wat kost deelname aan het congres?", "answer": "Deelname is kosteloos", "route": "Route plannen",
           "day": lambda d: f"{d.day} {MONTHS_NL[d.month - 1]} {d.year}"},
    "en": {"when": "When", "where": "Where", "places": "Places", "register": "Register", "left": "places left",
           "faq": "What does taking part cost?", "answer": "Taking part is free of charge", "route": "Plan your route",
           "day": lambda d: f"{d:%B} {d.day}, {d.year}"},
}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_hero_the_faq_and_the_accent(browser, live_server, demo, width, lang, tmp_path):
    text = TEXTS[lang]
    upcoming, _past = edition_days(date.today())
    context = _watched_context(browser, viewport={"width": width, "height": SIZES[width]}, is_mobile=width < 500)
    page = context.new_page()
    page.goto(f"{live_server}/congres-2025/?lang={lang}")
    hero = page.locator(".edition-hero")
    expect(hero.locator("dt").nth(0)).to_have_text(text["when"], ignore_case=True)
    expect(hero).to_contain_text(text["day"](upcoming))
    expect(hero).to_contain_text("09:00–16:30")
    expect(hero).to_contain_text("Jaarbeurs Utrecht")
    expect(hero).to_contain_text("Jaarbeursplein 6, 3521 AL Utrecht")
    expect(page.locator("#seats")).to_contain_text(text["left"])
    route = hero.get_by_role("link", name=text["route"])
    assert route.get_attribute("href").startswith("https://www.openstreetmap.org/directions?to=")
    register = page.locator(".edition-cta")
    expect(register).to_be_visible()
    expect(register).to_have_text(text["register"])
    assert register.get_attribute("href") == "/congres-2025/register"
    # The register button sits in a row with the others (desktop) or across the width above them (phone).
    boxes = [page.locator(".button-row > *").nth(i).bounding_box() for i in range(3)]
    if width >= 1000:
        assert len({round(b["y"]) for b in boxes}) == 1
    else:
        assert boxes[0]["width"] > 300 and boxes[1]["y"] > boxes[0]["y"]
    # The accent colour of the demo edition (#00695c) paints the call to action and the title.
    assert register.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 105, 92)"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.edition-site'))"
                         ".getPropertyValue('--edition-accent').trim()") == "#00695c"
    assert page.locator(".edition-hero__logo").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"edition-{width}-{lang}.png"), full_page=True)  # to look at
    context.close()
    _fail_on_csp_violations(context)

    # Without JavaScript the questions still open (<details>).
    context = _watched_context(browser, viewport={"width": width, "height": SIZES[width]}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/congres-2025/?lang={lang}")
    question = page.locator(".edition-faq__item", has_text=text["faq"])
    answer = question.locator(".edition-faq__answer")
    expect(answer).to_be_hidden()
    question.locator("summary").click()
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(text["answer"])
    assert page.locator(".edition-faq__item").count() == 6
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_organiser_sets_a_readable_accent_and_the_public_page_follows(browser, live_server, width, tmp_path):
    from congress.extensions import db  # noqa: PLC0415 - the factories load the app's models
    from tests.factories import make_congress, make_user  # noqa: PLC0415

    slug = f"accent-{width}"
    make_congress(slug)
    make_user("organiser", email=f"accent{width}@example.org")
    db.session.commit()
    context = _watched_context(browser, viewport={"width": width, "height": SIZES[width]}, is_mobile=width < 500)
    page = context.new_page()
    sign_in_staff(page, live_server, f"accent{width}@example.org")
    page.goto(f"{live_server}/manage/{slug}/site?lang=en")
    assert axe_violations(page) == []
    page.fill("#accent_colour", "#ffcc00")
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator("#accent_colour-error")
    expect(error).to_contain_text("contrast of 1.51:1; it needs at least 4.5:1")
    assert page.locator("#accent_colour").get_attribute("aria-describedby").split()[-1] == "accent_colour-error"
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"manage-{width}-en.png"), full_page=True)  # to look at
    page.fill("#accent_colour", "#8a2a72")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".utrecht-alert, .flashes").first).to_contain_text("saved")
    page.fill("#question_nl", "Is er een garderobe?")
    page.fill("#answer_nl", "Ja, bij de hoofdingang.")
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".site-faq-list")).to_contain_text("Is er een garderobe?")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.goto(f"{live_server}/{slug}/?lang=nl")
    button = page.locator(".button-row .utrecht-button-link--secondary-action")
    assert button.evaluate("e => getComputedStyle(e).color") == "rgb(138, 42, 114)"
    expect(page.locator(".edition-faq")).to_contain_text("Is er een garderobe?")
    context.close()
    _fail_on_csp_violations(context)
