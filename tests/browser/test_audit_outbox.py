"""The audit log and the outbox in a browser, on a phone and on a desktop: they read as words, the
filters work, and axe finds no serious or critical violation."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from congress.audit.services import record
from congress.database import write_transaction
from congress.extensions import db
from congress.registration.models import Registration
from tests.browser.conftest import axe_violations, sign_in_staff
from tests.factories import make_user
from tests.mail.test_outbox import failed_message
from tests.registration.factories import open_congress, registered

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_audit_log_and_outbox_read_well_and_pass_axe(browser, live_server, app, width):
    organiser = make_user("organiser", email=f"org-{width}@example.org", name="Olga Organisator")
    congress = open_congress(f"browser-audit-{width}")
    person = registered(congress, name="Anouk Jansen", email=f"anouk-{width}@example.org")
    with write_transaction():
        record("registration.update", db.session.get(Registration, person.id), actor=organiser,
               fields=["dietary"])
    failed = failed_message(f"jan-{width}@example.org", congress_id=congress.id)
    db.session.commit()

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in_staff(page, live_server, organiser.email)
        page.goto(f"{live_server}/manage/audit?lang=nl")
        assert page.get_by_role("cell", name="Aanmelding gewijzigd").count() >= 1
        assert page.get_by_role("link", name=f"Anouk Jansen ({congress.slug})").count() >= 1
        assert not axe_violations(page)
        _shot(page, f"audit-{width}")
        page.select_option("#action", "registration.update")
        with page.expect_navigation():
            page.click("form.log-filters button[type=submit]")
        assert "action=registration.update" in page.url
        page.fill("#date_from", "2030-01-02")
        page.fill("#date_to", "2030-01-01")
        with page.expect_navigation():  # the answer, not the page before it (seen failing under load)
            page.click("form.log-filters button[type=submit]")
        page.locator("#date_to-error").wait_for(state="visible")
        assert not axe_violations(page)
        _shot(page, f"audit-error-{width}")

        page.goto(f"{live_server}/manage/outbox")
        assert page.get_by_text("Niet afgeleverd").count() >= 1
        assert not axe_violations(page)
        _shot(page, f"outbox-{width}")
        page.goto(f"{live_server}/manage/outbox/{failed}")
        page.get_by_text("Technische details").click()
        expect(page.get_by_text("550 5.1.1")).to_be_visible()
        assert not axe_violations(page)
        _shot(page, f"outbox-message-{width}")
        page.get_by_role("button", name="Opnieuw proberen").click()
        expect(page.get_by_text("staat weer in de wachtrij")).to_be_visible()
    finally:
        context.close()
