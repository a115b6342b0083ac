"""Two attendees in the participants' network, at 375 and 1280 px, in Dutch and English: one finds the
other in the list (filtered by workshop), sends a message; the other sees it on their personal page,
shares their address back; once both shared, each sees the other's address. axe finds nothing serious
or critical on any page; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.network.factories import link, network_edition

TEXTS = {
    "nl": {"contact": "Contact met {name}", "message": "Uw bericht", "send": "Bericht versturen",
           "sent": "Uw bericht is verstuurd.", "received": "Berichten die u ontving",
           "reply": "Antwoorden, uw adres delen of melden (bericht van {name})",
           "share": "Mijn e-mailadres delen", "filter": "Filteren", "workshop": "Workshop",
           "shared_one": "U hebt uw e-mailadres gedeeld.",
           "report": "Dit bericht melden", "both": "U hebt allebei uw e-mailadres gedeeld"},
    "en": {"contact": "Contact {name}", "message": "Your message", "send": "Send message",
           "sent": "Your message has been sent.", "received": "Messages you received",
           "reply": "Reply, share your address or report (message from {name})",
           "share": "Share my e-mail address", "filter": "Filter", "workshop": "Workshop",
           "shared_one": "You have shared your e-mail address.",
           "report": "Report this message", "both": "You have both shared your e-mail address"},
}


def _look(page, width: int, name: str) -> None:
    assert axe_violations(page) == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize(("width", "lang"), [(375, "nl"), (375, "en"), (1280, "nl"), (1280, "en")])
def test_one_contacts_the_other_who_shares_the_address_back(app, browser, live_server, width, lang):
    congress, sessions, people = network_edition(f"netwerk-browser-{width}-{lang}", people=4)
    anna, bram = people[0], people[2]  # bram is in the second workshop
    text = TEXTS[lang]
    phone = width < 600
    context = _watched_context(browser, viewport={"width": width, "height": 800}, is_mobile=phone, has_touch=phone)
    page = context.new_page()

    page.goto(f"{live_server}/my/{link(anna)}/participants?lang={lang}")
    _look(page, width, "list")
    page.get_by_label(text["workshop"]).select_option(str(sessions[1].id))
    page.get_by_role("button", name=text["filter"], exact=True).click()
    expect(page.get_by_role("heading", name=people[3].name)).to_be_visible()
    expect(page.get_by_role("heading", name=people[1].name)).to_have_count(0)
    page.get_by_role("link", name=text["contact"].format(name=bram.name)).click()
    expect(page.get_by_role("heading", level=1, name=bram.name)).to_be_visible()
    _look(page, width, "person")
    page.get_by_label(text["message"]).fill("Zullen we na de workshop samen een pilot opzetten?")
    page.get_by_role("button", name=text["send"]).click()
    expect(page.get_by_text(text["sent"])).to_be_visible()
    assert anna.email not in page.content() and bram.email not in page.content()

    page.goto(f"{live_server}/my/{link(bram)}?lang={lang}")
    expect(page.get_by_role("heading", name=text["received"])).to_be_visible()
    expect(page.get_by_text("samen een pilot opzetten")).to_be_visible()
    _look(page, width, "personal page")
    page.get_by_role("link", name=text["reply"].format(name=anna.name)).click()
    expect(page.get_by_role("heading", level=1, name=anna.name)).to_be_visible()
    page.locator("summary", has_text=text["report"]).click()  # the report form, unfolded
    expect(page.locator("textarea[id^=report-reason-]")).to_be_visible()
    _look(page, width, "conversation with the report form")
    page.get_by_role("button", name=text["share"]).click()
    expect(page.get_by_text(text["shared_one"])).to_be_visible()
    assert anna.email not in page.content()
    _look(page, width, "shared one way")

    page.goto(f"{live_server}/my/{link(anna)}/participants/{bram.id}?lang={lang}")
    page.get_by_role("button", name=text["share"]).click()
    expect(page.get_by_text(text["both"]).first).to_be_visible()
    expect(page.locator(f'a[href="mailto:{bram.email}"]')).to_be_visible()
    _look(page, width, "both shared")
    context.close()
    _fail_on_csp_violations(context)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_organiser_blocks_a_reported_sender(app, browser, live_server, width):
    from congress.network import services  # noqa: PLC0415 - the factories load the app's models
    from tests.browser.conftest import sign_in_staff  # noqa: PLC0415
    from tests.factories import make_user  # noqa: PLC0415

    congress, _, (anna, bram, carla, _) = network_edition(f"netwerk-melding-{width}", people=4)
    message = services.send_message(anna, bram.id, "Koop nu onze training met korting!")
    services.report(bram, message.id, "Reclame")
    organiser = make_user("organiser", email=f"netwerk-melding-{width}@example.org")
    context = _watched_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in_staff(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/{congress.slug}/network")
    expect(page.get_by_text("Koop nu onze training")).to_be_visible()
    _look(page, width, "reports")
    page.get_by_role("button", name=f"{anna.name} uit het netwerk weren").click()
    expect(page.get_by_text("De deelnemer is uit het netwerk geweerd.")).to_be_visible()
    expect(page.get_by_role("button", name=f"{anna.name} weer toelaten")).to_be_visible()
    _look(page, width, "blocked")
    page.goto(f"{live_server}/my/{link(carla)}/participants")
    expect(page.get_by_role("heading", name=bram.name)).to_be_visible()
    expect(page.get_by_role("heading", name=anna.name)).to_have_count(0)
    context.close()
    _fail_on_csp_violations(context)
