"""Uploaded files checked by their content: magic bytes and a real parse, a size limit, a safe name;
text of PDFs (and Office files) extracted for search. The one upload checker: the archive and the
call for proposals both use it. Storing is :mod:`congress.storage`'s work."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from wtforms import BooleanField, SelectField
from wtforms.validators import AnyOf

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
MAX_OFFICE_XML_BYTES = 20 * 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
EXTENSIONS = {"pdf": ".pdf", "pptx": ".pptx", "docx": ".docx", "png": ".png", "jpeg": ".jpg"}
# Served files never run anything, even when a browser is talked into rendering them.
FILE_CSP = "sandbox; default-src 'none'"
# The licences a speaker chooses from when uploading material for publication (short names as stored on
# items and files; congress.archive.licences gives their URIs). The first is the default.
PUBLICATION_LICENCES = ("CC BY 4.0", "CC BY-SA 4.0", "CC BY-NC 4.0", "CC0 1.0")
DEFAULT_PUBLICATION_LICENCE = PUBLICATION_LICENCES[0]
LICENCE_LABELS = {
    "CC BY 4.0": _l("CC BY 4.0: anyone may reuse it, naming you"),
    "CC BY-SA 4.0": _l("CC BY-SA 4.0: reuse naming you, under the same licence"),
    "CC BY-NC 4.0": _l("CC BY-NC 4.0: reuse naming you, not commercially"),
    "CC0 1.0": _l("CC0 1.0: no rights reserved"),
}


class PublicationRightsFields:
    """The two questions every upload by a speaker asks (the call for proposals' slides, the archive's
    contribution page): may it be published, and under which licence. A mixin for a FlaskForm."""

    publication_consent = BooleanField(_l("I agree that the knowledge base publishes these files under the "
                                          "licence below. Without this, only the editors see them."))
    licence = SelectField(_l("Licence"), choices=[(k, v) for k, v in LICENCE_LABELS.items()],
                          default=DEFAULT_PUBLICATION_LICENCE,
                          validators=[AnyOf(PUBLICATION_LICENCES, message=_l("Choose one of the licences offered."))])


class UploadRefused(ValueError):
    """The upload is not accepted; ``str(exc)`` is a message for the user."""


@dataclass
class CheckedFile:
    data: bytes
    sha256: str
    kind: str
    content_type: str
    filename: str
    extracted_text: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(current_app.config.get("ARCHIVE_MAX_FILE_BYTES", DEFAULT_MAX_BYTES))


def check_filename(name: str) -> str:
    """Refuse path tricks and control characters; return the name's last part without its extension."""
    if not name or len(name) > 200:
        raise UploadRefused(_l("The file name is missing or too long."))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise UploadRefused(_l("The file name contains control characters."))
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise UploadRefused(_l("The file name may not contain a path."))
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"\s+", " ", stem).strip()
    if not stem:
        raise UploadRefused(_l("The file name is missing or too long."))
    return stem


def read_limited(stream: BinaryIO, limit: int | None = None) -> bytes:
    limit = max_bytes() if limit is None else limit
    data = stream.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} kB"
        raise UploadRefused(_l("The file is larger than %(size)s.", size=size))
    if not data:
        raise UploadRefused(_l("The file is empty."))
    return data


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked
    from pypdf.errors import PdfReadError  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_l("Encrypted PDF files are not accepted."))
        pages = reader.pages
        if len(pages) == 0:
            raise UploadRefused(_l("This is not a valid PDF file."))
        parts: list[str] = []
        total = 0
        for page in pages:
            try:
                text = page.extract_text() or ""
            except Exception:  # noqa: S112 - a page we cannot read adds no text
                continue
            parts.append(text)
            total += len(text)
            if total > MAX_TEXT_CHARS:
                break
        return "\n".join(parts)[:MAX_TEXT_CHARS]
    except UploadRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise UploadRefused(_l("This is not a valid PDF file.")) from exc


def _image_ok(data: bytes, kind: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if (image.format or "").lower() != kind:
                raise UploadRefused(_l("The image is not a valid PNG or JPEG file."))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadRefused(_l("The image is not a valid PNG or JPEG file.")) from exc


def _office(data: bytes) -> tuple[str, str]:
    """(kind, text) of a PPTX or DOCX file; refuses other ZIP files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise UploadRefused(_l("Only PDF, PPTX, DOCX, PNG and JPEG files are accepted."))
            if "ppt/presentation.xml" in names:
                kind = "pptx"
                parts = sorted((n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                               key=lambda n: int(re.findall(r"\d+", n)[-1]))
            elif "word/document.xml" in names:
                kind, parts = "docx", ["word/document.xml"]
            else:
                raise UploadRefused(_l("Only PDF, PPTX, DOCX, PNG and JPEG files are accepted."))
            texts: list[str] = []
            budget = MAX_OFFICE_XML_BYTES
            for name in parts:
                info = archive.getinfo(name)
                if info.file_size > budget:
                    break
                budget -= info.file_size
                root = ElementTree.fromstring(archive.read(name))  # noqa: S314 - no DTDs in OOXML; size capped
                words = [el.text for el in root.iter() if el.tag.endswith("}t") and el.text]
                texts.append(" ".join(words))
            return kind, "\n".join(texts)[:MAX_TEXT_CHARS]
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError, OSError, RuntimeError) as exc:
        raise UploadRefused(_l("The file is damaged or not a valid PPTX or DOCX file.")) from exc


def check_upload(stream: BinaryIO, filename: str) -> CheckedFile:
    """Validate an upload by its content. Raises :class:`UploadRefused` with a user message."""
    stem = check_filename(filename)
    data = read_limited(stream)
    kind = sniff(data)
    text = ""
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind in ("png", "jpeg"):
        _image_ok(data, kind)
    elif kind == "zip":
        kind, text = _office(data)
    else:
        raise UploadRefused(_l("Only PDF, PPTX, DOCX, PNG and JPEG files are accepted."))
    return CheckedFile(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        filename=stem[:190] + EXTENSIONS[kind],
        extracted_text=" ".join(text.split()),
    )


