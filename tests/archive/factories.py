"""Builders for archive tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from PIL import Image

from congress.archive import services
from congress.archive.demo import sample_pdf
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
    """A small valid PDF with one page showing ``text``."""

    return sample_pdf(text)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def office_bytes(kind: str, text: str = "Dia over veerkracht") -> bytes:
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
