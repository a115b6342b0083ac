"""An organiser imports a CSV of 50 invitees with 2 bad rows (reported), imports the 48 good ones,
sends the invitations; an invitee registers through the link on a phone (375 px), the form filled in."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from congress.extensions import db
from congress.invitations.models import Invitee
from congress.registration.models import Registration
from tests.browser.conftest import axe_violations, sign_in_staff
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import open_congress

LINK = re.compile(r"http://\S+/register\?invite=[A-Za-z0-9_-]+")


def test_import_send_and_register_through_the_link_on_a_phone(app, browser, page, live_server, organiser, mailbox,
                                                               tmp_path):
    app.config["PUBLIC_BASE_URL"] = live_server  # the links in the mail lead to this server
    open_congress("uitnodiging-browser", capacity=100)
    db.session.commit()
    path = tmp_path / "genodigden.csv"
    path.write_bytes(csv_bytes(contacts(50, bad=2)))

    sign_in_staff(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/uitnodiging-browser/invitations")
    assert axe_violations(page) == []
    page.set_input_files("#file", str(path))
    page.fill("#list_name", "Focusgemeenten")
    page.click("text=Controleren en importeren")
    assert "2 foute rijen gemeld" in page.locator(".import-summary").inner_text()
    assert page.locator("tr.refused-row").count() == 2
    assert axe_violations(page) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitee)) == 0  # nothing yet
    page.click("text=De 48 goede rijen importeren")
    page.wait_for_selector("text=48 genodigden geïmporteerd.")
    page.goto(f"{live_server}/manage/uitnodiging-browser/invitations")
    page.click("text=Focusgemeenten")
    mailbox.clear()
    page.click("text=De uitnodiging sturen aan 48 genodigden")
    page.wait_for_selector("text=48 in de wachtrij gezet")
    expect(page.locator(".mailing-progress progress")).to_have_attribute("value", "100")  # all 48 delivered
    expect(page.locator(".mailing-progress [data-count=sent]")).to_have_text("48")
    assert axe_violations(page) == []
    assert len(mailbox) == 48

    first = next(m for m in mailbox if m["To"] == "wethouder0@gemeente0.nl")
    link = LINK.search(first.get_body(("plain",)).get_content()).group(0)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        phone.goto(link)
        assert phone.input_value("#name") == "Wethouder 0"
        assert phone.input_value("#email") == "wethouder0@gemeente0.nl"
        assert phone.input_value("#organisation") == "Gemeente 0"
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        assert axe_violations(phone) == []
        if phone.input_value("#sector") == "":
            phone.select_option("#sector", label="gemeente")
        phone.check("#consent_privacy")
        phone.click("button[type=submit]")
        phone.wait_for_url(re.compile(r".*/register/thanks$"))
    finally:
        context.close()
    confirm = next(m for m in mailbox if m["To"] == "wethouder0@gemeente0.nl" and not m["List-Unsubscribe"])
    assert re.search(r"http://\S+/confirm", confirm.get_body(("plain",)).get_content())  # the double opt-in
    db.session.rollback()  # a fresh snapshot
    stored = db.session.scalar(sa.select(Registration).where(Registration.email_key == "wethouder0@gemeente0.nl"))
    assert (stored.name, stored.organisation) == ("Wethouder 0", "Gemeente 0")
