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
from flask import Response, abort, request, session
from flask_login import current_user

from congress.core.models import Congress, CongressStatus
from congress.extensions import db
from congress.i18n import current_language
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
    if row is None or row.status == CongressStatus.DRAFT.value:
        abort(404)
    return row


def _personal() -> bool:
    """Pages for logged-in staff (a logout form with a CSRF token) or with a pending flash message."""
    return bool(getattr(current_user, "is_authenticated", False)) or "_flashes" in session


def cached_programme(*, html: bool = True, extra: Callable[..., str] | None = None) -> Callable:
    """Decorate a public view ``view(congress, **kwargs)`` that is routed with ``<slug>``.

    ``html`` pages are not shared with logged-in users; ``extra`` adds to the key what else the
    response depends on (e.g. the seats left of one session).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(slug: str, **kwargs: Any) -> Any:
            row = _edition_row(slug)
            if html and _personal():
                return view(db.session.get(Congress, row.id), **kwargs)
            stamp = programme_stamp(row)
            parts = [view.__name__, str(row.id), stamp.isoformat(), row.status, current_language(),
                     public_base_url(), request.full_path]
            if extra is not None:
                parts.append(extra(row, **kwargs))
            key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
            hit = cache.get(key)
            if hit is None:
                result = view(db.session.get(Congress, row.id), **kwargs)
                response = result if isinstance(result, Response) else Response(result)
                if response.status_code != 200:
                    return response
                headers = {k: v for k, v in response.headers.items()
                           if k in ("Content-Disposition",)}
                body = response.get_data()
                compressed = gzip.compress(body, 6, mtime=0) if len(body) >= MIN_GZIP else None
                hit = (body, response.content_type, headers, compressed)
                cache.put(key, hit)
            body, content_type, headers, compressed = hit
            response = Response(body, content_type=content_type, headers=headers)
            if use_gzip and compressed is not None:
                response.set_data(compressed)
                response.headers["Content-Encoding"] = "gzip"
            # The ETag comes from the key (what the response depends on), not from hashing the body.
            response.set_etag(key[:32] + ("-gz" if use_gzip else ""))
            response.last_modified = stamp.replace(microsecond=0)
            response.cache_control.public = True
            response.cache_control.no_cache = True
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
            response.vary.add("Accept-Encoding")
            # werkzeug's conditional-request rules: If-None-Match (weakly compared) before
            # If-Modified-Since; a match becomes a 304 without a body.
            return response.make_conditional(request.environ)

        return wrapped

    return decorate
