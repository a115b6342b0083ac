"""What was printed is what a scanner reads: render, rasterise, decode with zxing-cpp, verify."""

from __future__ import annotations

import io
import subprocess

import pypdfium2
import pytest
import zxingcpp
from weasyprint import HTML

from congress.badges import render, tokens
from congress.badges.layouts import LAYOUTS
from congress.badges.render import BadgeData, ProgrammeLine

KEYS = tokens.generate_key_pair()
UNICODE_NAMES = ["Søren Ørsted", "Łucja Wróbel", "Ayşe Yılmaz-Doğan", "محمد العلي", "Noa 😀 de Jong"]


def badge(i: int, name: str | None = None) -> BadgeData:
    return BadgeData(
        name=name or f"Deelnemer {i}",
        organisation="Gemeente Utrecht",
        role=["deelnemer", "spreker", "organisatie", "pers", "vrijwilliger"][i % 5],
        role_label=["Deelnemer", "Spreker", "Organisatie", "Pers", "Vrijwilliger"][i % 5],
        code=tokens.sign(KEYS.private_key, 1, i),
        edition_title="Congres Veerkrachtige & Weerbare Samenleving 2025",
        edition_date="13 november 2025",
        programme=(ProgrammeLine("11:00", "Gastlessen mediawijsheid", "Zaal Utrecht"),),
    )


def decode_all(pdf: bytes, dpi: int = 100) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    found = []
    for page in document:
        found += [r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())]
    return found


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_code_on_every_layout_decodes_and_verifies(layout):
    badges = [badge(i) for i in range(LAYOUTS[layout].per_page + 1)]  # a full page and one more
    pdf = render.render_pdf(badges, layout)
    found = decode_all(pdf)
    assert sorted(found) == sorted(b.code for b in badges)
    for code in found:
        assert tokens.verify(code, KEYS.public_key).congress_id == 1


def test_parallel_batch_keeps_order_and_reports_progress():
    badges = [badge(i) for i in range(20)]
    seen = []
    pdf = render.render_batch(badges, "a4-4up", processes=2, chunk_size=8, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (20, 20)
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    assert len(document) == 5
    first_page = [r.text for r in zxingcpp.read_barcodes(document[0].render(scale=100 / 72).to_pil())]
    assert sorted(first_page) == sorted(b.code for b in badges[:4])


def test_empty_selection_is_refused():
    with pytest.raises(ValueError):
        render.render_batch([], "a6")


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        render.render_pdf([badge(0)], "a3-100up")


def _walk(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _walk(child)


def _name_box(document, page_index=0):
    """The laid-out box of the name paragraph and of its badge (weasyprint's own geometry)."""
    boxes = list(_walk(document.pages[page_index]._page_box))
    name = next(b for b in boxes if "badge__name" in (b.element.get("class", "") if b.element is not None else "")
                and b.element_tag == "p")
    container = next(b for b in boxes if b.element is not None and b.element.get("class", "").startswith("badge ")
                     and b.element_tag == "div")
    return name, container


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_sixty_character_name_stays_inside_its_box(layout):
    long_name = "Maria-Magdalena Wilhelmina van den Hoogenband-Oosterhuis Xyz"
    assert len(long_name) == 60
    sheet = render.sheet_html([badge(0, long_name)], LAYOUTS[layout])
    stylesheet, fonts = render._stylesheet(layout)
    document = HTML(string=sheet).render(stylesheets=[stylesheet], font_config=fonts)
    name, container = _name_box(document)
    text_width = max(line.width for line in name.children)
    assert name.content_box_x() >= container.content_box_x() - 0.5
    assert name.content_box_x() + text_width <= container.content_box_x() + container.width + 0.5
    assert name.position_y + name.height <= container.position_y + container.height
    # Nothing of the name was dropped: every word is laid out.
    laid_out = " ".join(
        child.text for line in name.children for child in getattr(line, "children", []) if hasattr(child, "text")
    )
    def letters(text: str) -> str:
        return "".join(ch for ch in text if ch.isalnum())  # hyphenation may add U+2010 at a break

    assert letters(laid_out) == letters(long_name)
    # …and it does not run into the QR code.
    qr_box = next(b for b in _walk(document.pages[0]._page_box)
                  if b.element is not None and b.element.get("class", "") == "badge__qr")
    name_bottom = name.position_y + name.height
    name_right = name.content_box_x() + text_width
    assert name_bottom <= qr_box.position_y or name_right <= qr_box.position_x


def test_unicode_names_are_covered_by_installed_fonts():
    """Every character of these names has a font (Noto, DejaVu), so no glyph box is printed."""
    uncovered = []
    for ch in sorted(set("".join(UNICODE_NAMES)) - {" "}):
        result = subprocess.run(["fc-list", f":charset={ord(ch):x}", "family"], capture_output=True, text=True)
        if not result.stdout.strip():
            uncovered.append(ch)
    assert uncovered == []


def test_unicode_badges_render_and_scan():
    badges = [badge(i, name) for i, name in enumerate(UNICODE_NAMES)]
    pdf = render.render_pdf(badges, "a6")
    assert sorted(decode_all(pdf)) == sorted(b.code for b in badges)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(pdf)))
    for name in UNICODE_NAMES[:3]:
        assert name in text
