"""The archive's documents: checked by :mod:`congress.uploads`, stored under their SHA-256 in the
``archive`` area of :mod:`congress.storage` (outside the static folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, send_file

from congress.uploads import CONTENT_TYPES, EXTENSIONS, FILE_CSP, CheckedFile, UploadRefused, check_upload, max_bytes

# The face of before: callers and tests import these from here.
__all__ = ["CONTENT_TYPES", "EXTENSIONS", "FILE_CSP", "CheckedFile", "UploadRefused", "check_upload", "max_bytes",
           "path_for", "send_stored", "store", "upload_dir"]


def upload_dir() -> Path:
    configured = current_app.config.get("ARCHIVE_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def path_for(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return upload_dir() / sha256[:2] / sha256


def store(checked: CheckedFile) -> Path:
    """Write the bytes under their hash (once; the same content is stored once)."""
    path = path_for(checked.sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(checked.data)
        os.replace(tmp, path)
    return path


def send_stored(stored: Any) -> Response:
    """A stored file with its real type, never as HTML: an attachment with its name, nosniff, and
    (through the view's Talisman options) a sandboxing CSP."""
    path = path_for(stored.sha256)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True, download_name=stored.filename,
                         conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
