"""A speaker submits a proposal on a phone-sized screen; axe finds no serious or critical violation."""

from __future__ import annotations

import sqlalchemy as sa

from congress.cfp.models import Proposal
from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.cfp.factories import make_speaker, open_call
from tests.factories import PASSWORD


def test_speaker_submits_on_a_phone(phone_page, live_server, congress):
    page = phone_page
    open_call(congress)
    make_speaker(email="telefoon@example.org", name="Tess Telefoon")

    page.goto(f"{live_server}/{congress.slug}/cfp")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Een voorstel indienen").click()
    # Not logged in yet: the login page, which comes back to the form.
    page.get_by_label("E-mailadres").fill("telefoon@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert page.locator("h1").inner_text() == "Nieuw voorstel"
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    page.get_by_label("Titel").fill("Weerbaar op je telefoon")
    page.get_by_label("Samenvatting").fill("Jongeren leren nepnieuws herkennen.")
    page.get_by_label("Beschrijving").fill("Een workshop met echte voorbeelden.")
    page.get_by_label("Werkvorm en duur").select_option(label="Workshop, 90 minuten")
    page.get_by_label("Track").select_option(label="Spoor 1")
    page.get_by_label("Doelgroep").fill("jongerenwerkers")
    page.get_by_label("Beschermende factor die de sessie versterkt").select_option("digitale weerbaarheid")
    page.get_by_role("button", name="Voorstel indienen").click()

    assert page.locator("h1").inner_text() == "Weerbaar op je telefoon"
    assert "Uw voorstel is ingediend." in page.content()
    assert axe_violations(page) == []
    db.session.commit()  # end the test's read transaction: see what the server wrote
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.status == "submitted" and proposal.duration == 90

    page.goto(f"{live_server}/speaker/")
    assert "Ingediend" in page.content()
    assert axe_violations(page) == []
