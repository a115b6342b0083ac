"""Every external link and identifier comes from configuration, never from the request.

``PUBLIC_BASE_URL`` (e.g. ``https://congres.example.nl``) is the one source of absolute URLs in
pages, feeds, mails and exports, of calendar UIDs and of Message-ID domains. A request's ``Host``
header is chosen by the client and must never bend a link, a cache entry or an identifier.
In development and tests a fixed default stands in (``DEFAULT_PUBLIC_BASE_URL``); production
refuses to start without the setting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The configured base URL without a trailing slash."""
    return (current_app.config.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def public_domain() -> str:
    """The host name of :func:`public_base_url` (calendar UIDs, Message-IDs): no port, lower case."""
    return (urlsplit(public_base_url()).hostname or "localhost").lower()


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured base, in a request, a job or a command alike."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    anchor = values.pop("_anchor", None)
    # Blueprint-relative names (".page") are not accepted: name the endpoint in full.
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


__all__ = ["DEFAULT_PUBLIC_BASE_URL", "external_url", "public_base_url", "public_domain"]
