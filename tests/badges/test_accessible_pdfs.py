"""The e-ticket, the badges' sheet and the programme PDF are tagged documents (PDF/UA-1 as weasyprint
writes it): a structure tree with headings, every text run inside marked content, the document's
language and title set — and the QR code still decodes, drawn as an artifact outside the structure."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ContentStream

from congress.badges import services, ticket
from congress.extensions import db
from tests.programme.factories import publish
from tests.registration.factories import add_round, open_congress, registered

TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}


def structure_roles(pdf: bytes) -> list[str]:
    """The standard structure types of the document's tagged tree, in reading order."""
    roles: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if "/S" in node:
            roles.append(str(node["/S"])[1:])
        kids = node.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get") and "/S" in kid:
                walk(kid)

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return roles


def untagged_text_runs(pdf: bytes) -> int:
    """Text-showing operators outside any marked content (what a screen reader would never find)."""
    reader = PdfReader(io.BytesIO(pdf))
    outside = 0
    for page in reader.pages:
        depth = 0
        for _operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"BDC", b"BMC"):
                depth += 1
            elif operator == b"EMC":
                depth -= 1
            elif operator in TEXT_SHOWING and depth == 0:
                outside += 1
    return outside


def assert_tagged(pdf: bytes, lang: str, title_start: str, headings: set[str]) -> None:
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == lang
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]  # a reader shows the title, not the file name
    assert pypdfium2.PdfDocument(io.BytesIO(pdf)).get_metadata_dict()["Title"].startswith(title_start)
    roles = structure_roles(pdf)
    assert headings <= set(roles), roles
    assert "P" in roles
    assert untagged_text_runs(pdf) == 0


def qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(io.BytesIO(pdf))[0]
    return [r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]


def _person(app):
    congress = open_congress("toegankelijke-pdf")
    congress.venue_name, congress.venue_address = "Jaarbeurs", "Jaarbeursplein 6, Utrecht"
    _round, sessions = add_round(congress)
    person = registered(congress, [sessions[1].id], confirmed=True).registration
    db.session.commit()
    return congress, person


def test_the_e_ticket_is_tagged_in_both_languages_and_its_code_decodes(app):
    _congress, person = _person(app)
    for lang, title in (("nl", "E-ticket"), ("en", "E-ticket")):
        pdf = services.ticket_pdf(person, lang)
        assert_tagged(pdf, lang, title, {"H1", "H2"})
        assert qr_codes(pdf) == [services.badge_data(person, lang).code]


def test_the_badge_sheet_is_tagged(app):
    _congress, person = _person(app)
    pdf = services.render_registrations([person], "a6")
    assert_tagged(pdf, "nl", "Badges", set())
    assert len(qr_codes(pdf)) >= 1


def test_the_programme_pdf_is_tagged(app, client):
    congress, _person_ = _person(app)
    publish(congress)
    response = client.get(f"/{congress.slug}/programme.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert_tagged(response.data, "en", "Programme", {"H1"})


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return [page.get_textpage().get_text_range() for page in document]


def test_the_reused_fonts_and_stylesheet_make_the_same_e_ticket_as_the_plain_way(app):
    """ticket_pdf reuses one font configuration and the parsed stylesheet across tickets; rendered
    again after others (warm caches) it still says what the plain rendering says, with the same
    structure and the same code."""
    congress, person = _person(app)
    other = registered(congress, [], confirmed=True).registration
    db.session.commit()
    services.ticket_pdf(other, "en")  # the caches warmed by someone else's ticket in the other language
    for lang in ("nl", "en"):
        fast, plain = services.ticket_pdf(person, lang), ticket.ticket_pdf_plain(person, lang)
        assert page_texts(fast) == page_texts(plain)
        assert person.name in page_texts(fast)[0]
        assert qr_codes(fast) == qr_codes(plain) == [services.badge_data(person, lang).code]
        assert structure_roles(fast) == structure_roles(plain)
        assert_tagged(fast, lang, "E-ticket", {"H1", "H2"})
