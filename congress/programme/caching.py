"""Conditional requests and a small in-process cache for the public programme and its feeds.

Everything public about a programme depends on the edition's ``programme_changed_at`` stamp (raised
by a flush listener on every change to sessions, tracks, rooms or speakers), the language, the path
and query, and the configured ``PUBLIC_BASE_URL``. That makes the cache key; the ETag is its hash
and Last-Modified the stamp. A worker keeps the most recent responses in memory, so a cached feed
costs one indexed query (the edition).

The request's ``Host`` header is not part of the key and never reaches a body: every absolute link
and calendar UID in these responses comes from ``congress.urls`` (configuration), so one client's
forged host cannot poison what the next subscriber gets.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache
from flask import Response, abort, make_response, request, session
from flask_login import current_user
from werkzeug.http import is_resource_modified

from congress.core.models import Congress, CongressStatus
from congress.core.queries import is_staff
from congress.extensions import db
from congress.i18n import current_language
from congress.security import SCRIPT_HASHES_HEADER, script_hashes
from congress.urls import public_base_url

MAX_ENTRIES = 512
MIN_GZIP = 1024
# body, content type, extra headers, gzipped body (None when too small to bother)
Entry = tuple[bytes, str, dict[str, str], bytes | None]


class ResponseCache:
    """The most recent responses of this worker: cachetools' LRU, behind a lock (gthread workers)."""

    def __init__(self, size: int) -> None:
        self.entries: LRUCache[str, Entry] = LRUCache(maxsize=size)
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self.lock:
            return self.entries.get(key)

    def put(self, key: str, value: Entry) -> None:
        with self.lock:
            self.entries[key] = value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


cache = ResponseCache(MAX_ENTRIES)


def programme_stamp(congress: Any) -> datetime:
    return congress.programme_changed_at or congress.created_at or datetime(2000, 1, 1, tzinfo=UTC)


def _edition_row(slug: str) -> Any:
    """The few columns the cache key needs (cheaper than loading the edition)."""
    row = db.session.execute(
        sa.select(Congress.id, Congress.status, Congress.programme_changed_at, Congress.created_at)
        .where(Congress.slug == slug)
    ).first()
    if row is None or (row.status == CongressStatus.DRAFT.value and not is_staff()):
        abort(404)  # a draft is the staff's preview (core's one rule), never the public's
    return row


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else make_response(result)


def _personal() -> bool:
    """Pages for logged-in staff (a logout form with a CSRF token) or with a pending flash message."""
    return bool(getattr(current_user, "is_authenticated", False)) or "_flashes" in session


def shared_headers(response: Response, etag: str, last_modified: datetime) -> Response:
    """What every answer of the cache carries, 200 and 304 alike."""
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    response.vary.add("Accept-Encoding")
    return response


def full_response(entry: Entry, use_gzip: bool, etag: str, last_modified: datetime) -> Response:
    """The 200 answer from a cache entry (gzipped when the client accepts it and it is worth it)."""
    body, content_type, headers, compressed = entry
    response = Response(body, content_type=content_type, headers=headers)
    if use_gzip and compressed is not None:
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
    return shared_headers(response, etag, last_modified)


def fast_not_modified(environ: dict[str, Any], etag: str, last_modified: datetime) -> Response | None:
    """SPEED TRICK, kept for bench/programme_feeds.py: the 304, or None when the response is needed.

    The plain way is werkzeug's ``full_response(...).make_conditional(environ)``; it costs about
    90 µs a request here (it adds a Date header and parses back the Last-Modified it has just
    formatted), which made the cached feeds 15 % slower. This asks werkzeug's own rule
    (``is_resource_modified``: If-None-Match, weakly compared, before If-Modified-Since) only when
    the request carries one of the headers, and before anything is rendered: the ETag and the stamp
    are known from the key alone. tests/programme/test_caching.py checks that both give the same
    answers.
    """
    if ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ) and not is_resource_modified(
        environ, etag=etag, last_modified=last_modified
    ):
        return shared_headers(Response(status=304), etag, last_modified)
    return None


def cached_programme(*, html: bool = True, extra: Callable[..., str] | None = None) -> Callable:
    """Decorate a public view ``view(congress, **kwargs)`` that is routed with ``<slug>``.

    ``html`` pages are not shared with logged-in users; ``extra`` adds to the key what else the
    response depends on (e.g. the seats left of one session).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(slug: str, **kwargs: Any) -> Any:
            row = _edition_row(slug)
            if row.status == CongressStatus.DRAFT.value:  # staff previewing: never cached, never shared
                response = _as_response(view(db.session.get(Congress, row.id), **kwargs))
                response.cache_control.private = True
                response.cache_control.no_store = True
                return response
            if html and _personal():
                return view(db.session.get(Congress, row.id), **kwargs)
            stamp = programme_stamp(row)
            parts = [view.__name__, str(row.id), stamp.isoformat(), row.status, current_language(),
                     public_base_url(), request.full_path]
            if extra is not None:
                parts.append(extra(row, **kwargs))
            key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
            # The ETag comes from the key (what the response depends on), not from hashing the body.
            etag = key[:32] + ("-gz" if use_gzip else "")
            last_modified = stamp.replace(microsecond=0)
            not_modified = fast_not_modified(request.environ, etag, last_modified)
            if not_modified is not None:
                return not_modified
            hit = cache.get(key)
            if hit is None:
                result = view(db.session.get(Congress, row.id), **kwargs)
                response = result if isinstance(result, Response) else Response(result)
                if response.status_code != 200:
                    return response
                headers = {k: v for k, v in response.headers.items()
                           if k in ("Content-Disposition",)}
                if script_hashes():  # the page's inline data blocks, allowed again on every hit
                    headers[SCRIPT_HASHES_HEADER] = " ".join(script_hashes())
                body = response.get_data()
                compressed = gzip.compress(body, 6, mtime=0) if len(body) >= MIN_GZIP else None
                hit = (body, response.content_type, headers, compressed)
                cache.put(key, hit)
            return full_response(hit, use_gzip, etag, last_modified)

        return wrapped

    return decorate
