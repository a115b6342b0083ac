"""Files the application writes and serves, through one interface.

Every file goes through an *area*: ``archive`` (documents of the knowledge archive), ``cfp``
(speaker photos and slides), ``badges`` (print runs). A key is a relative path inside its area
(``slides/ab12.pdf``); keys come from the application (hashes, generated names), never from a
request, and are checked all the same. The local directory is the only backend for now; object
storage (the scale-out issue) is a second class with the same methods.

Writes are atomic: a reader sees the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Protocol

from flask import Response, abort, current_app, send_file

# Area → (config key that may move it, default folder under the instance directory).
AREAS: dict[str, tuple[str | None, str]] = {
    "archive": ("ARCHIVE_UPLOAD_DIR", "uploads"),
    "cfp": ("CFP_UPLOAD_DIR", "cfp"),
    "badges": ("BADGE_DIR", "badges"),
}
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


class StorageKeyError(ValueError):
    """A key that is not a plain relative path (absolute, ``..``, empty or odd characters)."""


class Storage(Protocol):
    """What every backend offers."""

    def put(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def send(self, key: str, *, mimetype: str, download_name: str | None = None, as_attachment: bool = False,
             max_age: int = 0) -> Response: ...


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > 300 or not _KEY.match(key) or ".." in key.split("/"):
        raise StorageKeyError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """An area as a directory on the local disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file's place on disk (for backups and tools that need a real path)."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def send(self, key: str, *, mimetype: str, download_name: str | None = None, as_attachment: bool = False,
             max_age: int = 0) -> Response:
        """The file as a response (conditional: ETag and ranges), with nosniff; 404 if it is gone."""
        path = self.path(key)
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                             conditional=True, max_age=max_age)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def root_of(area: str) -> Path:
    config_key, default = AREAS[area]
    configured = current_app.config.get(config_key) if config_key else None
    return Path(configured) if configured else Path(current_app.instance_path) / default


def storage(area: str) -> LocalStorage:
    """The storage of ``area`` for the current app (an unknown area is a programming error: KeyError)."""
    return LocalStorage(root_of(area))
