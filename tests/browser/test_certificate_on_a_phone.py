"""An attendee scanned in at two workshops (checked out of one) gets their certificate on a phone
(375 px): from the personal page to the certificate page, a Dutch error next to a wrong SKJ number,
the download; the QR code on the downloaded PDF decodes (zxing-cpp) to the verification address, whose
page says valid. axe finds no serious or critical violation, nothing scrolls sideways; the organiser's
page at 1280 px too."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pypdfium2
import zxingcpp
from playwright.sync_api import expect

from congress.registration.services import manage_secret
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff
from tests.certificates.factories import at, certificate_edition, scan
from tests.factories import make_user

WIDTH = 375


def _look(page, name: str, width: int = WIDTH) -> None:
    assert axe_violations(page) == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name


def test_an_attendee_downloads_the_certificate_on_a_phone_and_its_code_verifies(app, browser, live_server,
                                                                                 tmp_path):
    congress, (a, b, _plenary), people, codes, day, _ = certificate_edition("certificaat-telefoon", people=2)
    scan(congress, codes[0], "venue", at(day, "08:45"))
    scan(congress, codes[0], a.id, at(day, "10:00"))
    scan(congress, codes[0], a.id, at(day, "11:00"), "out")
    scan(congress, codes[0], b.id, at(day, "13:00"))
    secret = manage_secret(people[0])

    context = _watched_context(browser, viewport={"width": WIDTH, "height": 800}, is_mobile=True, has_touch=True,
                               accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server}/my/{secret}")
    page.get_by_role("link", name="Bewijs van deelname en registratienummer").click()
    expect(page.get_by_role("heading", level=1, name="Bewijs van deelname")).to_be_visible()
    assert "Werkplaats A" in page.content()
    _look(page, "certificate page")
    page.get_by_label("Beroepsregister").select_option("SKJ")
    page.get_by_label("Registratienummer").fill("12ab")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#number-error")).to_have_text("Een SKJ-registratienummer heeft 5 tot 12 cijfers.")
    _look(page, "with an error")
    page.get_by_label("Registratienummer").fill("110012345")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw registratienummer is opgeslagen.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "certificate-375.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download uw certificaat (pdf)").click()
    pdf = (tmp_path / "certificaat.pdf")
    download.value.save_as(pdf)
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.read_bytes()))
    assert "110012345" in document[0].get_textpage().get_text_range()
    found = [r.text for r in zxingcpp.read_barcodes(document[0].render(scale=150 / 72).to_pil())]
    assert len(found) == 1 and "/verify/V1" in found[0]
    page.goto(live_server + urlsplit(found[0]).path)
    expect(page.get_by_text("Dit certificaat is geldig.")).to_be_visible()
    assert people[0].name in page.content()
    _look(page, "verification")

    organiser = make_user("organiser", email="certificaat-telefoon@example.org")
    desk = _watched_context(browser, viewport={"width": 1280, "height": 900})
    office = desk.new_page()
    sign_in_staff(office, live_server, organiser.email)
    office.goto(f"{live_server}/manage/{congress.slug}/certificates")
    expect(office.get_by_role("heading", level=1, name="Certificaten en accreditaties")).to_be_visible()
    _look(office, "organiser", 1280)
    office.screenshot(path=str(tmp_path / "organiser-1280.png"), full_page=True)
    desk.close()
    context.close()
    _fail_on_csp_violations(context)
    _fail_on_csp_violations(desk)
