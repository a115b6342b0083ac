"""Register on a phone, confirm through the e-mail the SMTP server received, change the workshop and
cancel; axe finds no serious or critical violation on these pages."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from congress.extensions import db
from congress.registration.models import Registration
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_user
from tests.registration.factories import add_round, open_congress, registered


def test_register_confirm_change_cancel_on_a_phone(app, phone_page, live_server, mailbox):
    page = phone_page
    app.config["PUBLIC_BASE_URL"] = live_server  # the links in the mail lead to this server (restored after the test)
    congress = open_congress("telefoon")
    _, (first, second) = add_round(congress, capacities=(1, 20))
    round_field = f"round_{first.signup_round_id}"
    first_title, second_title = first.title, second.title
    db.session.commit()

    page.goto(f"{live_server}/telefoon/register")
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    # A mistake first: the server answers next to the field and keeps what was typed.
    page.fill("#name", "Fatima Benali")
    page.fill("#email", "fatima@@example")
    page.select_option("#sector", label="gemeente")
    page.check(f"#{round_field}-{first.id}")
    page.check("#consent_privacy")
    page.click("button[type=submit]")
    expect(page.locator("#email-error")).to_be_visible()
    assert page.input_value("#name") == "Fatima Benali"
    assert axe_violations(page) == []
    page.fill("#email", "fatima@example.org")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/register/thanks\?seats=1$"))
    assert axe_violations(page) == []

    assert len(mailbox) == 1
    body = mailbox[0].get_body(("plain",)).get_content()
    confirm_link = re.search(r"http://\S+/confirm", body).group(0)
    assert confirm_link.startswith(live_server + "/my/")  # on PUBLIC_BASE_URL, set to this server above
    page.goto(confirm_link)
    assert axe_violations(page) == []
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/my/[A-Za-z0-9_-]+$"))
    assert "Bevestigd" in page.inner_text("main")
    assert first_title in page.inner_text("main")
    assert axe_violations(page) == []
    manage_url = page.url

    page.click("text=Uw gegevens en workshops wijzigen")
    assert axe_violations(page) == []
    page.check(f"#{round_field}-{second.id}")
    page.click("button[type=submit]")
    page.wait_for_url(manage_url)
    main = page.inner_text("main")
    assert second_title in main and first_title not in main

    page.click("text=Uw aanmelding annuleren")
    assert axe_violations(page) == []
    page.click("button[type=submit]")
    page.wait_for_url(manage_url)
    assert "geannuleerd" in page.inner_text("main")
    assert axe_violations(page) == []
    db.session.rollback()
    registration = db.session.scalar(sa.select(Registration).where(Registration.email == "fatima@example.org"))
    assert registration.status == "cancelled" and registration.enrolments == []


def test_statistics_chart_draws_from_the_table(page, live_server, app):

    congress = open_congress("grafiek")
    _, (first, _second) = add_round(congress)
    registered(congress, [first.id], n=1)
    make_user("organiser", email="stats@example.org")
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.fill("#email", "stats@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/manage/registrations/grafiek/statistics")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length === 3")
    assert page.console_errors == []
    assert axe_violations(page) == []
