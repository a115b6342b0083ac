"""The archive's documents: checked by :mod:`congress.uploads`, stored under their SHA-256 in the
``archive`` area of :mod:`congress.storage` (a local folder outside the static folder,
``ARCHIVE_UPLOAD_DIR`` or ``instance/uploads``, or object storage), with the key ``<sha[:2]>/<sha>``."""

from __future__ import annotations

import re
from typing import Any

from flask import Response

from congress.storage import LocalStorage, S3Storage, storage
from congress.uploads import CONTENT_TYPES, EXTENSIONS, FILE_CSP, CheckedFile, UploadRefused, check_upload, max_bytes

AREA = "archive"

# The face of before: callers and tests import these from here.
__all__ = ["AREA", "CONTENT_TYPES", "EXTENSIONS", "FILE_CSP", "CheckedFile", "UploadRefused", "check_upload",
           "key_for", "max_bytes", "read_stored", "send_stored", "store"]


def area() -> LocalStorage | S3Storage:
    return storage(AREA)


def key_for(sha256: str) -> str:
    """The storage key of a document: ``<sha[:2]>/<sha>`` (the same content is stored once)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return f"{sha256[:2]}/{sha256}"


def read_stored(sha256: str) -> bytes:
    """The bytes stored under this hash (FileNotFoundError when they are gone)."""
    return area().read(key_for(sha256))


def store(checked: CheckedFile) -> str:
    """Write the bytes under their hash (once; the same content is stored once); the key."""
    files, key = area(), key_for(checked.sha256)
    if not files.exists(key):
        files.put(key, checked.data)
    return key


def send_stored(stored: Any) -> Response:
    """A stored file with its real type, never as HTML: an attachment with its name, nosniff, and
    (through the view's Talisman options) a sandboxing CSP; 404 when the file is gone."""
    return area().send(key_for(stored.sha256), mimetype=stored.content_type, as_attachment=True,
                       download_name=stored.filename, max_age=3600)
