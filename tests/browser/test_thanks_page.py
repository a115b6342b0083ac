"""Registering in a browser: the limits are shown before typing, and the thank-you page says how many
workshop seats were got and for how many workshops the person waits; Dutch on a phone, English on a
desktop, no serious or critical axe finding."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.registration.factories import add_round, open_congress, registered

TEXTS = {
    "nl": {"register": "Aanmelden", "limit": "Maximaal 200 tekens.",
           "seat": "U hebt een plaats in 1 workshop", "waiting": "Voor 1 workshop staat u op de wachtlijst"},
    "en": {"register": "Register", "limit": "At most 200 characters.",
           "seat": "You have a seat in 1 workshop", "waiting": "For 1 workshop you are on the waiting list"},
}


@pytest.mark.parametrize(("lang", "width"), [("nl", 375), ("en", 1280)])
def test_limits_up_front_and_an_honest_thank_you(browser, live_server, app, lang, width):
    congress = open_congress(f"bedankt-{lang}")
    first_round, (full, _free) = add_round(congress, capacities=(1, 20))
    second_round, (other, _) = add_round(congress, "Ronde 2", capacities=(5, 5), start="13:00", end="14:00")
    registered(congress, [full.id], n=1)
    slug = congress.slug
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900}, is_mobile=width < 400)
    page = context.new_page()
    page.goto(f"{live_server}/{slug}/register?lang={lang}")
    texts = TEXTS[lang]
    assert page.inner_text("#name-limit") == texts["limit"]
    assert page.get_attribute("#name", "maxlength") == "200"
    page.type("#name", "x" * 210)
    assert len(page.input_value("#name")) == 200  # the browser stops at the limit
    page.fill("#name", "Samira El Amrani")
    page.fill("#email", f"samira-{lang}@example.org")
    page.select_option("#sector", index=1)
    page.check(f"#round_{first_round.id}-{full.id}")
    page.check(f"#round_{second_round.id}-{other.id}")
    page.check("#consent_privacy")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/register/thanks\?seats=1&waiting=1$"))
    main = page.inner_text("main")
    assert texts["seat"] in main and texts["waiting"] in main
    assert axe_violations(page) == []
    context.close()
