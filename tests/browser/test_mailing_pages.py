"""The demo's mailings as an organiser sees them, on a phone and on a desktop: no serious axe
violation (the text preview scrolls sideways on a phone, so it takes the keyboard focus), and the HTML
part shows inside its own frame with the mail's own styles."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.communications.mailings import Mailing
from congress.extensions import db
from tests.browser.conftest import axe_violations, sign_in_staff


@pytest.mark.parametrize("width", [375, 1280])
def test_a_draft_and_a_sent_mailing_read_well(app, runner, page, live_server, organiser, width):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    draft = db.session.scalar(sa.select(Mailing).where(Mailing.status == "draft"))
    sent = db.session.scalar(sa.select(Mailing).where(Mailing.status == "sent"))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_staff(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/{draft.congress.slug}/mailings/{draft.id}")
    frame = page.frame_locator("iframe.mailing-preview__html")
    frame.locator("p").first.wait_for()
    assert frame.locator("p").first.inner_text().startswith("Beste ")
    assert not axe_violations(page)
    page.goto(f"{live_server}/manage/{sent.congress.slug}/mailings/{sent.id}")
    assert page.locator("progress").get_attribute("value") == "100"
    assert not axe_violations(page)
