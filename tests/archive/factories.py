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


def minimal_mp4(payload: bytes = b"\x00" * 64) -> bytes:
    """The boxes of an MP4 file that its check reads: ``ftyp`` (brand isom), an empty ``moov``, ``mdat``."""
    ftyp = b"ftyp" + b"isom" + b"\x00\x00\x02\x00" + b"isom" + b"mp41"
    return ((len(ftyp) + 4).to_bytes(4, "big") + ftyp + (8).to_bytes(4, "big") + b"moov"
            + (8 + len(payload)).to_bytes(4, "big") + b"mdat" + payload)


def minimal_webm() -> bytes:
    """An EBML header of document type webm and an empty segment."""
    header = (b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
              b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02")
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x80"


def captions_vtt(language: str = "nl") -> bytes:
    lines = {"nl": ("Welkom bij de sessie over veerkracht.", "Wij beginnen met een vraag aan de zaal."),
             "en": ("Welcome to the session on resilience.", "We begin with a question to the audience.")}[language]
    return (f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n{lines[0]}\n\n"
            f"00:00:02.000 --> 00:00:04.000\n{lines[1]}\n").encode()
