"""The e-ticket's QR caption sits under the code, beside the person's details, and nothing is drawn
through it (the rule under the top block ran through it): positions read back from the PDF."""

from __future__ import annotations

import io

import pypdfium2
import pypdfium2.raw as pdfium_c
import zxingcpp

from congress.badges import services
from tests.registration.factories import open_congress, registered

CAPTION = {"nl": "Laat deze code", "en": "Show this code"}


def _boxes(pdf: bytes, caption: str):
    page = pypdfium2.PdfDocument(io.BytesIO(pdf))[0]
    height = page.get_height()
    text = page.get_textpage()
    full = text.get_text_range()
    start = full.index(caption)
    # The caption's characters up to its full stop, as (left, bottom, right, top) in PDF points.
    end = full.index(".", start)
    chars = [text.get_charbox(i) for i in range(start, end)]
    box = (min(c[0] for c in chars), min(c[1] for c in chars), max(c[2] for c in chars), max(c[3] for c in chars))
    rules = []
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            rules.append((left, bottom, right, top))
    scale = 100 / 72
    [code] = zxingcpp.read_barcodes(page.render(scale=scale).to_pil())
    points = [code.position.top_left, code.position.top_right, code.position.bottom_left, code.position.bottom_right]
    qr = (min(p.x for p in points) / scale, height - max(p.y for p in points) / scale,
          max(p.x for p in points) / scale, height - min(p.y for p in points) / scale)
    return box, rules, qr, height


def _crosses(edge: float, box: tuple[float, float, float, float]) -> bool:
    return box[1] < edge < box[3]


def test_the_qr_caption_sits_under_the_code_and_no_rule_crosses_it(app):
    congress = open_congress("ticket-opmaak")
    person = registered(congress, n=1, name="Thomas van der Berg", confirmed=True).registration
    for lang in ("nl", "en"):
        pdf = services.ticket_pdf(person, lang)
        caption, paths, qr, _height = _boxes(pdf, CAPTION[lang])
        # Under the code (PDF y grows upwards), in its column, and on the page's right half beside the details.
        assert caption[3] <= qr[1], (lang, caption, qr)
        assert qr[1] - caption[3] < 30  # right under it, not somewhere down the page
        assert caption[0] >= qr[0] - 12 and caption[2] <= qr[2] + 12, (lang, caption, qr)
        for left, bottom, right, top in paths:
            if right <= caption[0] or left >= caption[2]:
                continue  # beside the caption
            # No edge of a drawn box (the block's rule under it, a border) runs through the caption's lines.
            assert not _crosses(bottom, caption) and not _crosses(top, caption), (lang, caption, (left, bottom))
        # The rule under the top block runs under the caption.
        assert any(bottom < caption[1] and left < caption[0] < right for left, bottom, right, _ in paths)
