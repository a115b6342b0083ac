"""Files the application writes and serves, through one interface.

Every file goes through an *area*: ``archive`` (documents of the knowledge archive), ``cfp``
(speaker photos and slides), ``badges`` (print runs), ``site`` (the editions' logos). A key is a
relative path inside its area (``slides/ab12.pdf``); keys come from the application (hashes,
generated names), never from a request, and are checked all the same.

Two backends with the same methods, chosen by ``STORAGE_URL``:

* empty (the embedded default): :class:`LocalStorage`, a directory per area on the local disk
  (``instance/<folder>`` unless ``ARCHIVE_UPLOAD_DIR``, ``CFP_UPLOAD_DIR`` or ``BADGE_DIR`` moves it);
* ``s3://bucket/prefix``: :class:`S3Storage`, S3-compatible object storage through boto3, the
  object of ``key`` in area ``a`` being ``prefix/a/key``; endpoint and credentials come from
  ``STORAGE_S3_*`` (docs/deploy.md, "Object storage").

Writes are atomic: a reader sees the old file or the whole new one, never half of it (on disk a
temporary file renamed into place; in S3 one ``PutObject``, which the server checks against the
body's MD5). A backend that cannot be reached, refuses the credentials or lacks its bucket raises
:class:`StorageUnavailable` (answered 503 in NL/EN by ``congress.errors``); a missing file is
``FileNotFoundError`` on both.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from flask import Flask, Response, abort, current_app, redirect, request, send_file
from werkzeug.http import dump_options_header

# Area → (config key that may move it, default folder under the instance directory).
AREAS: dict[str, tuple[str | None, str]] = {
    "archive": ("ARCHIVE_UPLOAD_DIR", "uploads"),
    "cfp": ("CFP_UPLOAD_DIR", "cfp"),
    "badges": ("BADGE_DIR", "badges"),
    "site": ("SITE_UPLOAD_DIR", "site"),
}
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
CHUNK = 256 * 1024
log = logging.getLogger("congress.storage")


class StorageKeyError(ValueError):
    """A key that is not a plain relative path (absolute, ``..``, empty or odd characters)."""


class StorageConfigError(ValueError):
    """``STORAGE_URL`` (or a ``--to`` of the migration) that names no storage this app knows."""


class StorageUnavailable(RuntimeError):
    """The storage cannot be used right now: unreachable, credentials refused, bucket missing.

    ``reason`` is one of ``unreachable``, ``credentials``, ``no-bucket``, ``refused``; the message
    names the area and the reason (never a secret)."""

    def __init__(self, area: str, reason: str, detail: str = "") -> None:
        self.area, self.reason = area, reason
        super().__init__(f"storage area {area!r} unavailable ({reason}){': ' + detail if detail else ''}")


class Storage(Protocol):
    """What every backend offers."""

    area: str

    def put(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def list_keys(self) -> Iterator[str]: ...
    def send(self, key: str, *, mimetype: str, download_name: str | None = None, as_attachment: bool = False,
             max_age: int = 0) -> Response: ...


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > 300 or not _KEY.match(key) or ".." in key.split("/"):
        raise StorageKeyError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """An area as a directory on the local disk."""

    def __init__(self, root: Path, area: str = "") -> None:
        self.root = Path(root)
        self.area = area

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

    def list_keys(self) -> Iterator[str]:
        """Every stored key, sorted (temporary files of a write in progress are not keys)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and _KEY.match(key) and not any(p.startswith(".") for p in key.split("/")):
                yield key

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


# --- S3-compatible object storage -----------------------------------------------------------------

@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "some/prefix/" (always ending in a slash)


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse_storage_url(url: str | None) -> S3Location | None:
    """None for the local directories (empty); the bucket and prefix of ``s3://bucket/prefix``."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "s3" or not _BUCKET.match(parts.netloc or "") or parts.query or parts.fragment:
        raise StorageConfigError(f"STORAGE_URL must be empty or s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    if prefix:
        check_key(prefix)
        prefix += "/"
    return S3Location(parts.netloc, prefix)


_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def s3_client(config: Any) -> Any:
    """One boto3 client per process and settings (clients are thread-safe; a forked worker makes its
    own, as a connection pool must not be shared across processes)."""
    settings = (os.getpid(), config.get("STORAGE_S3_ENDPOINT_URL") or None, config.get("STORAGE_S3_REGION") or None,
                config.get("STORAGE_S3_ACCESS_KEY_ID") or None, config.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
                config.get("STORAGE_S3_ADDRESSING_STYLE") or "path",
                float(config.get("STORAGE_S3_TIMEOUT_SECONDS") or 10), int(config.get("STORAGE_S3_MAX_ATTEMPTS") or 3))
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            _, endpoint, region, key_id, secret, style, timeout, attempts = settings
            client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint, region_name=region or "us-east-1",
                aws_access_key_id=key_id, aws_secret_access_key=secret,
                config=BotoConfig(signature_version="s3v4", connect_timeout=timeout, read_timeout=timeout,
                                  retries={"max_attempts": attempts, "mode": "standard"},
                                  s3={"addressing_style": style}),
            )
            _clients[settings] = client
    return client


def _reason(exc: BaseException) -> str:
    if isinstance(exc, NoCredentialsError):
        return "credentials"
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchBucket",):
            return "no-bucket"
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403", "InvalidToken",
                    "ExpiredToken"):
            return "credentials"
        return "refused"
    return "unreachable"


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _disposition(name: str | None, attachment: bool) -> str:
    """Content-Disposition as Flask's send_file writes it (an ASCII name, and RFC 5987 for others)."""
    kind = "attachment" if attachment else "inline"
    if not name:
        return kind
    try:
        name.encode("ascii")
        options = {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        options = {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+^`|')}"}
    return dump_options_header(kind, options)


class S3Storage:
    """An area as the objects under ``prefix/area/`` of a bucket."""

    def __init__(self, client: Any, location: S3Location, area: str, *, presign_seconds: int = 0) -> None:
        self.client, self.bucket, self.area = client, location.bucket, area
        self.base = f"{location.prefix}{area}/"
        self.presign_seconds = presign_seconds

    def object_key(self, key: str) -> str:
        return self.base + check_key(key)

    def _unavailable(self, exc: BaseException, action: str, reason: str = "") -> StorageUnavailable:
        error = StorageUnavailable(self.area, reason or _reason(exc), f"{action} in bucket {self.bucket!r}: "
                                                           f"{type(exc).__name__}")
        log.error("%s", error)
        return error

    def _call(self, action: str, **params: Any) -> Any:
        try:
            return getattr(self.client, action)(Bucket=self.bucket, **params)
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404", "NotFound") and action != "head_bucket":
                raise FileNotFoundError(params.get("Key", "")) from None
            if _status(exc) == 304:
                raise
            if action == "head_bucket" and _status(exc) == 404:  # HeadBucket has no body to name it
                raise self._unavailable(exc, action, "no-bucket") from exc
            raise self._unavailable(exc, action) from exc
        except BotoCoreError as exc:
            raise self._unavailable(exc, action) from exc

    def put(self, key: str, data: bytes) -> None:
        """One PutObject: the object appears whole or not at all; the server checks the MD5."""
        self._call("put_object", Key=self.object_key(key), Body=data, ContentLength=len(data),
                   ContentMD5=base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
                   Metadata={"sha256": hashlib.sha256(data).hexdigest()})

    def read(self, key: str) -> bytes:
        body = self._call("get_object", Key=self.object_key(key))["Body"]
        try:
            return body.read()
        except (BotoCoreError, OSError) as exc:  # the server went away in the middle of the body
            raise self._unavailable(exc, "get_object") from exc
        finally:
            body.close()

    def head(self, key: str) -> dict[str, Any] | None:
        try:
            return self._call("head_object", Key=self.object_key(key))
        except FileNotFoundError:
            return None

    def sha256(self, key: str) -> str | None:
        """The SHA-256 written with the object (None when it is gone or has none)."""
        head = self.head(key)
        return None if head is None else head.get("Metadata", {}).get("sha256")

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def size(self, key: str) -> int:
        head = self.head(key)
        if head is None:
            raise FileNotFoundError(key)
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self.object_key(key))

    def list_keys(self) -> Iterator[str]:
        token: str | None = None
        while True:
            page = self._call("list_objects_v2", Prefix=self.base, **({"ContinuationToken": token} if token else {}))
            for item in page.get("Contents", []):
                yield item["Key"][len(self.base):]
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def check(self) -> None:
        """The bucket answers to these credentials (``/readyz``)."""
        self._call("head_bucket")

    def send(self, key: str, *, mimetype: str, download_name: str | None = None, as_attachment: bool = False,
             max_age: int = 0) -> Response:
        """The object as a streamed response (ETag, If-None-Match, ranges), or with
        ``STORAGE_PRESIGNED_SECONDS`` a redirect to a presigned URL valid that long; 404 if it is gone.
        The caller has checked access already: the response (or the URL) is for this user only."""
        disposition = _disposition(download_name, as_attachment)
        if self.presign_seconds > 0:
            if not self.exists(key):
                abort(404)
            url = self.client.generate_presigned_url(
                "get_object", ExpiresIn=self.presign_seconds,
                Params={"Bucket": self.bucket, "Key": self.object_key(key), "ResponseContentType": mimetype,
                        "ResponseContentDisposition": disposition},
            )
            response = redirect(url, code=302)
            response.headers["Cache-Control"] = "private, no-store"
            return response
        params: dict[str, Any] = {"Key": self.object_key(key)}
        if request.headers.get("If-None-Match"):
            params["IfNoneMatch"] = request.headers["If-None-Match"]
        if request.headers.get("Range", "").startswith("bytes="):
            params["Range"] = request.headers["Range"]
        try:
            result = self._call("get_object", **params)
        except FileNotFoundError:
            abort(404)
        except ClientError as exc:  # 304: what the client has is current
            response = Response(status=304)
            response.headers["ETag"] = exc.response.get("Error", {}).get("ETag") or request.headers["If-None-Match"]
            return response
        body = result["Body"]
        area = self.area

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            except Exception as exc:  # the server went away mid-way: the client sees a short body
                log.error("storage area %r: object %s broke off while streaming (%s)", area, key, type(exc).__name__)
            finally:
                body.close()

        status = 206 if "ContentRange" in result else 200
        response = Response(chunks(), status=status, mimetype=mimetype, direct_passthrough=True)
        response.headers["Content-Length"] = str(result["ContentLength"])
        if "ContentRange" in result:
            response.headers["Content-Range"] = result["ContentRange"]
        response.headers["Accept-Ranges"] = "bytes"
        if result.get("ETag"):
            response.headers["ETag"] = result["ETag"]
        if result.get("LastModified"):
            response.last_modified = result["LastModified"]
        response.headers["Content-Disposition"] = disposition
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.cache_control.max_age = max_age
        response.cache_control.public = None
        return response


# --- choosing the backend -------------------------------------------------------------------------

def root_of(area: str) -> Path:
    config_key, default = AREAS[area]
    configured = current_app.config.get(config_key) if config_key else None
    return Path(configured) if configured else Path(current_app.instance_path) / default


def is_object_storage() -> bool:
    return parse_storage_url(current_app.config.get("STORAGE_URL")) is not None


def backend_for(url: str | None, area: str, config: Any) -> LocalStorage | S3Storage:
    """The storage of ``area`` that ``url`` names (empty: the local directory)."""
    location = parse_storage_url(url)
    if location is None:
        return LocalStorage(root_of(area), area)
    return S3Storage(s3_client(config), location, area,
                     presign_seconds=int(config.get("STORAGE_PRESIGNED_SECONDS") or 0))


def storage(area: str) -> LocalStorage | S3Storage:
    """The storage of ``area`` for the current app (an unknown area is a programming error: KeyError)."""
    AREAS[area]  # an unknown area: KeyError
    return backend_for(current_app.config.get("STORAGE_URL"), area, current_app.config)


def init_app(app: Flask) -> None:
    """Refuse to start with a ``STORAGE_URL`` that names nothing known (no network call: ``/readyz``
    says whether the bucket answers)."""
    parse_storage_url(app.config.get("STORAGE_URL"))


# --- moving the files to another storage ----------------------------------------------------------

class MigrationError(RuntimeError):
    """A file whose copy does not have the source's hash (it is not counted as migrated)."""


def migration_target(url: str) -> dict[str, S3Storage]:
    """The areas of the object storage ``url`` names; the same storage as now is refused."""
    try:
        location = parse_storage_url(url)
    except StorageConfigError:
        location = None
    if location is None:
        raise StorageConfigError(f"--to must name object storage as s3://bucket/prefix (the bucket's name in lower "
                                 f"case), not {url!r}")
    current = parse_storage_url(current_app.config.get("STORAGE_URL"))
    if current == location:
        raise StorageConfigError(f"{url} is the storage in use already (STORAGE_URL)")
    targets = {area: backend_for(url, area, current_app.config) for area in AREAS}
    next(iter(targets.values())).check()  # StorageUnavailable before anything is copied
    return targets  # type: ignore[return-value]


def migration_plan() -> list[tuple[str, str]]:
    """(area, key) of every file in the storage in use, in order."""
    return [(area, key) for area in AREAS for key in storage(area).list_keys()]


def migrate_file(area: str, key: str, target: S3Storage) -> str:
    """Copy one file unless the target has it with the same SHA-256 already; read the copy back and
    compare its hash. ``"copied"`` or ``"present"``; MigrationError when the copy differs."""
    data = storage(area).read(key)
    digest = hashlib.sha256(data).hexdigest()
    if target.sha256(key) == digest:
        return "present"
    target.put(key, data)
    if hashlib.sha256(target.read(key)).hexdigest() != digest:
        raise MigrationError(f"{area}/{key}: the copy's SHA-256 differs from the original's")
    return "copied"
