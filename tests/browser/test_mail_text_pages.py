"""An organiser edits a mail text in the demo edition on a phone and on a desktop: the index, the edit
page with its placeholders, a preview that flags an unknown placeholder, saving, and the text arriving
over real SMTP as edited. No serious axe violation on any of the pages, and no JavaScript needed."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from congress.communications.mailtexts import mail_text
from congress.core import queries as core
from congress.extensions import db
from tests.browser.conftest import axe_violations, sign_in_staff

SHOTS = os.environ.get("SCREENSHOTS_DIR")


def _shot(page, name: str, width: int) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_edit_preview_and_save_a_mail_text(app, runner, page, live_server, organiser, mailbox, width):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    upcoming = core.congress_by_slug("congres-2025")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_staff(page, live_server, organiser.email)

    page.goto(f"{live_server}/manage/{upcoming.slug}/mail-texts")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mailteksten")
    expect(page.locator(".status-tag--edited").first).to_be_visible()  # the demo's edited confirmation
    assert not axe_violations(page)
    _shot(page, "mail-texts-index", width)

    page.get_by_role("link", name="Persoonlijke link (Engels)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Persoonlijke link")
    expect(page.locator("#text")).to_have_value("Dear {{ name }},\n\nHere is the personal link to your "
                                                "registration for {{ edition }}:\n\n{{ manage_url }}\n\n"
                                                "Did you not ask for this? Then you can ignore this message.\n")
    expect(page.locator(".mail-text-preview__html")).to_contain_text("Dear ")
    assert not axe_violations(page)

    page.fill("#subject", "Your link to {{ edition }}")
    page.fill("#text", "Dear {{ name }},\n\n**Your link**: {{ manage_url }}\n\nSee you, {{ naam }}")
    page.get_by_role("button", name="Voorbeeld", exact=True).click()
    expect(page.locator(".utrecht-alert--warning")).to_contain_text("Onbekende placeholder: naam")
    expect(page.locator(".mail-text-preview__html strong")).to_have_text("Your link")
    expect(page.locator(".mailing-preview__subject")).to_contain_text("Your link to ")
    assert not axe_violations(page)
    _shot(page, "mail-texts-preview", width)

    page.fill("#text", "Dear {{ name }},\n\n**Your link**: {{ manage_url }}\n\nSee you!")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flashes")).to_contain_text("De tekst is opgeslagen")
    expect(page.locator(".status-tag--edited")).to_be_visible()
    assert not axe_violations(page)
    _shot(page, "mail-texts-saved", width)
    db.session.rollback()
    saved = mail_text(upcoming.id, "registration/link", "en")
    assert saved is not None and saved.subject == "Your link to {{ edition }}"

    page.fill("#text", "Dear {{ name }},\n{% if name %}never closed")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#text-error")).to_contain_text("Regel 2")
    assert not axe_violations(page)
    _shot(page, "mail-texts-refused", width)

    page.get_by_role("link", name="Standaardtekst herstellen").click()
    expect(page.get_by_role("button", name="Ja, standaardtekst herstellen")).to_be_visible()
    assert not axe_violations(page)
    page.get_by_role("button", name="Ja, standaardtekst herstellen").click()
    expect(page.locator(".flashes")).to_contain_text("De standaardtekst staat weer klaar")
    db.session.rollback()
    assert mail_text(upcoming.id, "registration/link", "en") is None
