"""Every external link and identifier comes from configuration, never from the request.

``PUBLIC_BASE_URL`` (e.g. ``https://congres.example.nl``, or ``https://example.nl/congres`` under a
path prefix) is the one source of absolute URLs in pages, feeds, mails and exports, of calendar UIDs
and of Message-ID domains. A request's ``Host`` header is chosen by the client and must never bend a
link, a cache entry or an identifier. In development and tests a fixed default stands in
(``DEFAULT_PUBLIC_BASE_URL``); production refuses to start without the setting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter

from config import DEFAULT_PUBLIC_BASE_URL

_ADAPTERS = "congress_url_adapters"


def public_base_url() -> str:
    """The configured base URL without a trailing slash."""
    return (current_app.config.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).strip().rstrip("/")


def public_domain() -> str:
    """The host name of :func:`public_base_url` (calendar UIDs, Message-IDs): no port, lower case."""
    return (urlsplit(public_base_url()).hostname or "localhost").lower()


def _adapter(base_url: str) -> MapAdapter:
    """A URL adapter bound to the configured base (one per base and application, reused: feeds build
    thousands of links)."""
    adapters: dict[str, MapAdapter] = current_app.extensions.setdefault(_ADAPTERS, {})
    adapter = adapters.get(base_url)
    if adapter is None or adapter.map is not current_app.url_map:
        base = urlsplit(base_url)
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )
        adapters[base_url] = adapter
    return adapter


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured base, in a request, a job or a command alike.

    Like ``url_for(endpoint, _external=True, **values)``; ``_anchor`` adds a fragment. Blueprint-relative
    names (``.page``) are not accepted: name the endpoint in full.
    """
    anchor = values.pop("_anchor", None)
    values.pop("_external", None)
    current_app.inject_url_defaults(endpoint, values)
    url = _adapter(public_base_url()).build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def webcal_url(endpoint: str, **values: Any) -> str:
    """:func:`external_url` with the ``webcal://`` scheme (calendar subscriptions)."""
    url = external_url(endpoint, **values)
    return "webcal://" + url.split("://", 1)[1]


__all__ = ["DEFAULT_PUBLIC_BASE_URL", "external_url", "public_base_url", "public_domain", "webcal_url"]
