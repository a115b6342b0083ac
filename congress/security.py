"""Security headers on every response (Flask-Talisman), trusted hosts and
``/.well-known/security.txt`` (RFC 9116). Part of the foundation: it knows no capability (the login
manager is set up by ``congress.accounts.access.init_app``)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import time
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, request
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from congress.extensions import talisman
from congress.urls import external_url, public_domain

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# security.txt must be refreshed at least yearly (RFC 9116 §2.5.5): it expires 364 days after the day it
# is served, so a served file is never valid for more than a year.
SECURITY_TXT_DAYS = 364


UNTRUSTED_HOST = "congress.untrusted_host"

# Inline data blocks (<script type="application/ld+json">) are allowed by the hash of their text, never
# by 'unsafe-inline'. A page cached whole (the programme) keeps its hashes in this internal header,
# which is turned into the policy and removed before the response leaves.
SCRIPT_HASHES_HEADER = "X-Congress-Script-Hashes"



def private_page(response: Response) -> Response:
    """A page behind a personal link (or naming a person): never kept by a shared cache, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def allow_inline_script(text: str) -> None:
    """Allow this exact script text on the current page (its SHA-256 in script-src)."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    hashes = g.setdefault("csp_script_hashes", [])
    if f"'sha256-{digest}'" not in hashes:
        hashes.append(f"'sha256-{digest}'")


def script_hashes() -> list[str]:
    """The hashes allowed so far on this page (for a cache that stores the page)."""
    return list(g.get("csp_script_hashes", []))


def embeddable(view: Any) -> Any:
    """Mark a view whose page other sites may frame: the origins in EMBED_ORIGINS (and this site).
    Every other page keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``."""
    view.embeddable = True
    return view


def embed_origins(value: str | None) -> list[str]:
    """EMBED_ORIGINS as a list of origins; ValueError for anything that is not ``scheme://host[:port]``."""
    origins = []
    for origin in (part.strip() for part in (value or "").split(",")):
        if not origin:
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment or parts.username or "*" in origin or ";" in origin:
            raise ValueError(f"EMBED_ORIGINS: {origin!r} is not an origin such as https://www.example.nl")
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _adjust_policy(response: Response) -> Response:
    """After Talisman wrote the policy: add the page's inline-script hashes to script-src, and let the
    configured sites frame an embeddable page."""
    hashes = [*g.get("csp_script_hashes", []), *response.headers.pop(SCRIPT_HASHES_HEADER, "").split()]
    view = current_app.view_functions.get(request.endpoint or "")
    framed = getattr(view, "embeddable", False)
    policy = response.headers.get("Content-Security-Policy")
    if not policy or not (hashes or framed):
        return response
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    extra = " ".join(dict.fromkeys(hashes))
    if hashes:
        directives = [f"{d} {extra}" if d.split()[0] == "script-src" else d for d in directives]
    if framed:
        ancestors = " ".join(["'self'", *current_app.config["EMBED_ORIGIN_LIST"]])
        directives = [f"frame-ancestors {ancestors}" if d.split()[0] == "frame-ancestors" else d
                      for d in directives]
        response.headers.pop("X-Frame-Options", None)  # frame-ancestors decides (XFO cannot list origins)
    response.headers["Content-Security-Policy"] = "; ".join(directives)
    return response


class RefuseUntrustedHosts:
    """WSGI middleware: a request for a host that is not in TRUSTED_HOSTS gets the application's own
    400 page (in the user's language, JSON under /api/).

    Flask 3.1 refuses such a host by itself, but then has no URL adapter, so the error page cannot
    build its links and answers 500. Here the request continues on the public host, marked, and
    :func:`_refuse_untrusted_host` answers 400 before anything else runs: nothing sees the forged host.
    """

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        hosts = self.app.config.get("TRUSTED_HOSTS")
        if hosts:
            try:
                get_host(environ, hosts)
            except SecurityError:
                public = urlsplit(self.app.config.get("PUBLIC_BASE_URL") or "")
                environ = {**environ, UNTRUSTED_HOST: environ.get("HTTP_HOST", ""),
                           "HTTP_HOST": public.netloc, "SERVER_NAME": public.hostname or ""}
        return self.wsgi_app(environ, start_response)


def _refuse_untrusted_host() -> None:
    if UNTRUSTED_HOST in request.environ:
        abort(400)


def security_contacts() -> list[str]:
    """``Contact:`` values: SECURITY_CONTACT (comma-separated URIs or e-mail addresses), else
    security@ the domain of PUBLIC_BASE_URL, else the organisers' sending address."""
    configured = current_app.config.get("SECURITY_CONTACT") or ""
    contacts = []
    for item in (part.strip() for part in configured.split(",")):
        if not item:
            continue
        contacts.append(item if item.startswith(("mailto:", "https:", "tel:")) else f"mailto:{item}")
    if contacts:
        return contacts
    domain = public_domain()
    if "." in domain and not _is_ip(domain):
        return [f"mailto:security@{domain}"]
    address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    return [f"mailto:{address or 'security@' + domain}"]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def security_txt() -> Response:
    """RFC 9116: where to report a vulnerability, in which languages, until when this holds."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    expires = today + timedelta(days=SECURITY_TXT_DAYS)
    lines = [f"Contact: {contact}" for contact in security_contacts()]
    lines += [
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {external_url('security_txt')}",
    ]
    response = Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def refuse_untrusted_hosts(app: Flask) -> None:
    """Install :class:`RefuseUntrustedHosts`; its check runs before every other before-request hook."""
    app.wsgi_app = RefuseUntrustedHosts(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)


def init_app(app: Flask) -> None:
    app.add_url_rule("/.well-known/security.txt", "security_txt", security_txt)
    app.config["EMBED_ORIGIN_LIST"] = embed_origins(app.config.get("EMBED_ORIGINS"))
    # Registered before Talisman, so it runs after Talisman has written the policy.
    app.after_request(_adjust_policy)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
        x_content_type_options=True,
        permissions_policy={"camera": "(self)", "microphone": "()", "geolocation": "()"},
    )

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _server_timing(response):
        """How long the application took, for browsers' dev tools and the benchmarks."""
        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
