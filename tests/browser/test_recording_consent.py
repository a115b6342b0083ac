"""A speaker gives their recording consent on their proposal's page, on a phone and on a wide screen;
axe finds no serious or critical violation, and the choice is saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from congress.cfp import services as cfp
from congress.extensions import db
from congress.registration import services as registration
from congress.tokens import hash_secret
from tests.browser.conftest import axe_violations
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import PASSWORD


@pytest.mark.parametrize("which", ["phone_page", "page"])
def test_speaker_consents_to_the_recording(request, which, live_server, congress, monkeypatch):
    page = request.getfixturevalue(which)
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: None)
    open_call(congress)
    speaker = make_speaker(email="opname@example.org", name="Olga Opname")
    proposal = make_proposal(congress, speaker)
    cfp.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    cfp.confirm_proposal("t")

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill("opname@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/speaker/proposals/{proposal.id}")
    expect(page.get_by_role("heading", name="Opname")).to_be_visible()
    assert axe_violations(page) == []
    box = page.get_by_label("Ik stem ermee in dat mijn sessie wordt opgenomen", exact=False)
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Mijn keuze opslaan").click()
    expect(page.get_by_text("U stemde in met de opname van uw sessie.")).to_be_visible()
    expect(page.get_by_label("Ik stem ermee in dat mijn sessie wordt opgenomen", exact=False)).to_be_checked()
    assert axe_violations(page) == []
    # The section fits the screen (the proposal's details list above it is wider than a phone: a
    # matter of that list's own styles, reported apart).
    form = page.locator("form", has=page.get_by_role("button", name="Mijn keuze opslaan"))
    box_right = form.evaluate("e => e.getBoundingClientRect().right")
    assert box_right <= page.viewport_size["width"]
    db.session.commit()  # end the test's read transaction: see what the server wrote
    assert cfp.recording_consented(db.session.merge(proposal))
