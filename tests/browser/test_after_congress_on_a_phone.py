"""The acceptance path of issue 17: an attendee scanned in (and out) at two workshops opens the
after-congress mail — received by the real SMTP server on 127.0.0.1 (aiosmtpd) when the rule "1 day
after the end, to attendees who were checked in" fires — on a phone (375 px), follows its evaluations
link, evaluates one workshop, follows its certificate link and downloads the certificate; the QR code
on the rendered PDF page (pypdfium2) decodes (zxing-cpp) to a URL whose page says valid. axe finds no
serious or critical violation on any page, nothing scrolls sideways."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdfium2
import sqlalchemy as sa
import zxingcpp
from playwright.sync_api import expect

from congress.communications import schedules
from congress.communications.schedules import Moment
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.registration.services import manage_secret
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.certificates.factories import at, certificate_edition, scan

WIDTH = 375


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, name


def test_after_the_congress_the_mail_leads_to_an_evaluation_and_a_certificate_that_verifies(
        app, browser, live_server, mailbox, monkeypatch, tmp_path):
    # The links in the mail point at the server the browser talks to.
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)
    congress, (a, b, _plenary), people, codes, day, _ = certificate_edition("na-congres-telefoon", people=2)
    # Through the check-in services: the door, then in and out of both workshops.
    scan(congress, codes[0], "venue", at(day, "08:50"))
    scan(congress, codes[0], a.id, at(day, "10:00"))
    scan(congress, codes[0], a.id, at(day, "11:30"), "out")
    scan(congress, codes[0], b.id, at(day, "13:00"))
    scan(congress, codes[0], b.id, at(day, "13:45"), "out")
    person, secret = people[0], manage_secret(people[0])
    first = question_queries.questions(congress, "evaluation")[0]

    rule = schedules.create_rule(congress, schedules.default_rule(Moment.AFTER_END.value))
    mailbox.clear()
    assert schedules.fire(rule.id, now=rule.due_at + timedelta(minutes=3)) is not None  # the job's work
    mails = [m for m in mailbox if m["To"] == person.email and m["List-Unsubscribe"]]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == f"Bedankt voor uw komst naar {congress.title('nl')}"
    html = mail.get_body(("html",)).get_content()

    context = _watched_context(browser, viewport={"width": WIDTH, "height": 800}, is_mobile=True, has_touch=True,
                               accept_downloads=True)
    page = context.new_page()
    page.set_content(html)  # the received mail, as a mail app shows its HTML part
    evaluations_link = page.locator(f'a[href="{live_server}/my/{secret}/evaluations"]')
    certificate_link = page.locator(f'a[href="{live_server}/my/{secret}/certificate"]')
    expect(evaluations_link).to_be_visible()
    expect(certificate_link).to_be_visible()
    certificate_href = certificate_link.get_attribute("href")
    _look(page, "the mail")

    evaluations_link.click()
    expect(page.get_by_role("link", name="Werkplaats A")).to_be_visible()
    expect(page.get_by_role("link", name="Werkplaats B")).to_be_visible()
    _look(page, "evaluations")
    page.get_by_role("link", name="Werkplaats B").click()
    expect(page.get_by_role("heading", level=1, name="Evalueren: Werkplaats B")).to_be_visible()
    _look(page, "evaluation form")
    page.get_by_role("group", name=first.label_nl).get_by_label("5", exact=True).check()
    page.get_by_label("Wat neemt u mee, en wat kan beter?").fill("Goede voorbeelden uit het jongerenwerk.")
    page.get_by_role("button", name="Mijn evaluatie versturen").click()
    expect(page.get_by_text("uw evaluatie is opgeslagen")).to_be_visible()
    expect(page.get_by_text("Geëvalueerd")).to_have_count(1)
    _look(page, "evaluations after")
    db.session.rollback()  # see what the server committed
    assert [r.answers[str(first.id)] for r in db.session.scalars(sa.select(EvaluationResponse))] == [5]

    page.goto(certificate_href)  # the mail's second link
    expect(page.get_by_role("heading", level=1, name="Bewijs van deelname")).to_be_visible()
    _look(page, "certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download uw certificaat (pdf)").click()
    path = tmp_path / "certificaat.pdf"
    download.value.save_as(path)
    document = pypdfium2.PdfDocument(io.BytesIO(path.read_bytes()))
    text = document[0].get_textpage().get_text_range()
    assert person.name in text and "Werkplaats A" in text and "Werkplaats B" in text
    found = [r.text for r in zxingcpp.read_barcodes(document[0].render(scale=150 / 72).to_pil())]
    assert len(found) == 1 and found[0].startswith(f"{live_server}/verify/V1")

    page.goto(found[0])
    expect(page.get_by_text("Dit certificaat is geldig.")).to_be_visible()
    expect(page.get_by_text(person.name)).to_be_visible()
    _look(page, "verification")
    context.close()
    _fail_on_csp_violations(context)
