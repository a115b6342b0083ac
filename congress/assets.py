"""Static assets for a phone on a slow connection: URLs that carry the file's content hash, cached for a
year as immutable, and sent gzip-compressed to clients that accept it.

``url_for('static', …)`` and ``url_for('vendor', …)`` get ``?v=<hash of the file's bytes>``: a changed
file gets a new URL, so the old one may be cached forever. A request whose ``v`` is the file's current
hash is answered with ``Cache-Control: public, max-age=31536000, immutable``; any other (no ``v``, an old
one, the station's hard-coded module imports) keeps the endpoint's own caching. Text assets (CSS,
JavaScript, SVG, JSON, WebAssembly) are compressed once per file version and kept in memory; a range
request is answered uncompressed. A reverse proxy that compresses may do this instead; the app does not
rely on one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

YEAR = 31_536_000
COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json",
                "application/wasm")
MIN_SIZE = 1024  # smaller files gain nothing worth the header
_lock = threading.Lock()
_hashes: dict[str, tuple[tuple[int, int], str]] = {}
_compressed: dict[str, tuple[tuple[int, int], bytes]] = {}


def _folders(app: Flask) -> dict[str, str]:
    return {"static": str(app.static_folder), "vendor": str(app.config["NODE_MODULES_DIR"])}


def _file(app: Flask, endpoint: str, filename: str) -> str | None:
    folder = _folders(app).get(endpoint)
    path = safe_join(folder, filename) if folder else None
    return path if path and os.path.isfile(path) else None


def _stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def content_hash(path: str) -> str:
    """The first 12 hex digits of the file's SHA-256, computed again only when the file changed."""
    stamp = _stamp(path)
    with _lock:
        known = _hashes.get(path)
    if known and known[0] == stamp:
        return known[1]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    with _lock:
        _hashes[path] = (stamp, digest)
    return digest


def _gzipped(path: str) -> bytes:
    stamp = _stamp(path)
    with _lock:
        known = _compressed.get(path)
    if known and known[0] == stamp:
        return known[1]
    body = gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
    with _lock:
        _compressed[path] = (stamp, body)
    return body


def init_app(app: Flask) -> None:
    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        if endpoint in ("static", "vendor") and "filename" in values and "v" not in values:
            path = _file(app, endpoint, values["filename"])
            if path:
                values["v"] = content_hash(path)

    @app.after_request
    def cache_and_compress(response: Response) -> Response:
        if request.endpoint not in ("static", "vendor") or response.status_code != 200:
            return response
        path = _file(app, request.endpoint, (request.view_args or {}).get("filename", ""))
        if path is None:
            return response
        if request.args.get("v") == content_hash(path):
            response.cache_control.no_cache = None  # Flask's static files say no-cache by default
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        response.vary.add("Accept-Encoding")
        if (response.mimetype in COMPRESSIBLE and request.accept_encodings.quality("gzip") > 0
                and "Range" not in request.headers and response.content_length
                and response.content_length >= MIN_SIZE):
            body = _gzipped(path)
            if hasattr(response.response, "close"):
                response.response.close()  # the file send_file opened
            response.direct_passthrough = False
            response.set_data(body)
            response.headers["Content-Encoding"] = "gzip"
            etag, weak = response.get_etag()
            if etag:
                response.set_etag(etag + "-gzip", weak=weak)
        return response
