"""Builders for archive tests."""

from __future__ import annotations

from typing import Any

from congress.archive import services
from congress.archive.models import ItemStatus, KnowledgeItem
from congress.extensions import db


def make_item(title: str = "Kennisitem", *, status: str = ItemStatus.PUBLISHED.value, item_type: str = "sessieverslag",
              **fields: Any) -> KnowledgeItem:
    item = services.create_item(item_type, title, **fields)
    if status in (ItemStatus.IN_REVIEW.value, ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value):
        services.set_status(item, ItemStatus.IN_REVIEW.value)
    if status in (ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value):
        services.set_status(item, ItemStatus.PUBLISHED.value)
    if status == ItemStatus.WITHDRAWN.value:
        services.set_status(item, ItemStatus.WITHDRAWN.value, reason="Vervangen door een nieuwere versie.")
    db.session.commit()
    return item


def minimal_pdf(text: str = "Hallo wereld") -> bytes:
    """A small valid PDF with one page showing ``text`` (built by hand: no extra dependency)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def office_bytes(kind: str, text: str = "Dia over veerkracht") -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'/>")
        if kind == "pptx":
            archive.writestr("ppt/presentation.xml", "<p:presentation xmlns:p='urn:p'/>")
            archive.writestr("ppt/slides/slide1.xml",
                             f"<p:sld xmlns:p='urn:p' xmlns:a='urn:a'><a:t>{text}</a:t></p:sld>")
        else:
            paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
            document = f"<w:document xmlns:w='urn:w'><w:body>{paragraph}</w:body></w:document>"
            archive.writestr("word/document.xml", document)
    return buffer.getvalue()
