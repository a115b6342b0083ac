"""Guards for views, and the login manager they rely on. Every non-public endpoint carries a guard;
tests walk the url_map to prove it.

``roles_required`` marks the view with ``required_roles`` and ``token_required`` with
``required_scope``; the protection test reads those marks to know which roles must be refused.

Roles are held per edition. The one check of an edition's scope is here: a guarded view whose URL
names an edition (the ``slug`` view argument) refuses (403) a user who holds none of the view's roles
*in that edition*, and scopes the user to it for the rest of the request (``User.scope_to``). Views
reached by an object id alone call :func:`require_edition` with the object's edition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from congress.accounts import mfa, sessions, signin
from congress.accounts.services import api_token_for
from congress.extensions import db, login_manager
from congress.sanitize import has_forbidden_characters

EDITION_ARGUMENT = "slug"


def edition_id_for(slug: str) -> int | None:
    """The id of the edition with this slug, read from its table by name: core and accounts are
    siblings, neither imports the other (as ``RoleGrant``'s foreign keys name ``congresses``)."""
    if not slug or len(slug) > 200 or has_forbidden_characters(slug):
        return None
    congresses = db.metadata.tables["congresses"]
    return db.session.scalar(sa.select(congresses.c.id).where(congresses.c.slug == slug))


def require_edition(congress_id: int | None, *roles: str) -> None:
    """For a view reached by an object id: 403 unless the user holds one of ``roles`` (by default the
    view's own, from ``roles_required``) in the object's edition; then the request is scoped to it.
    An object of no edition (``None``) is everybody's with the view's role."""
    if congress_id is None:
        return
    roles = roles or tuple(getattr(g, "required_roles", ()))
    if not current_user.is_authenticated or not current_user.has_role_in(congress_id, *roles):
        abort(403)
    current_user.scope_to(congress_id)


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Logged-in users holding one of ``roles`` (admins always) pass; others get 401/403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            g.required_roles = roles
            slug = (request.view_args or {}).get(EDITION_ARGUMENT)
            if isinstance(slug, str) and (len(slug) > 200 or has_forbidden_characters(slug)):
                abort(404)  # no edition has such a slug (and PostgreSQL cannot even compare it)
            if isinstance(slug, str):
                # A missing edition is the view's 404; an edition of someone else's is 403.
                require_edition(edition_id_for(slug), *roles)
            return view(*args, **kwargs)

        guarded.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return guarded

    return decorate


def bearer_secret() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def token_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """API endpoints: a bearer token of ``scope`` is required (401 without, 403 with another)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            secret = bearer_secret()
            if not secret:
                abort(401)
            token = api_token_for(secret, scope)
            if token is None:
                # Unknown or revoked: 401; a valid token of another scope: 403.
                abort(401 if api_token_for(secret, "read") is None else 403)
            g.api_token = token
            return view(*args, **kwargs)

        guarded.required_scope = scope  # type: ignore[attr-defined]
        return guarded

    return decorate


def init_app(app: Flask) -> None:
    """Flask-Login for staff and speakers: a server-side session (``sessions``, checked before every
    request) names the user (``sessions.session_user``), and a visitor without one is sent to the
    login page (API and JSON clients get 401)."""
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.session_user)
    login_manager.unauthorized_handler(_unauthorized)
    # First of the hooks (after the host check): none may read current_user before the session is checked.
    app.before_request_funcs.setdefault(None, []).insert(0, sessions.check_request)
    app.before_request_funcs[None].insert(1, require_second_factor)


# What someone who must enrol a second factor may still open: the enrolment itself (and signing out).
ENROLMENT_ENDPOINTS = frozenset({"accounts.security", "accounts.security_enrol", "accounts.passkey_register_options",
                                 "accounts.passkey_register", "accounts.logout"})


def require_second_factor() -> Any:
    """A signed-in user whose role requires a second factor (``MFA_REQUIRED_ROLES``) and who has none
    is sent to the enrolment page from every guarded view (GET or POST alike) until enrolled."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in ENROLMENT_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "required_roles", None) is None:
        return None  # public pages and API endpoints (bearer tokens) are not a staff session's
    if not current_user.is_authenticated or not mfa.must_enrol(current_user):
        return None
    row = g.get("user_session")
    if row is not None and row.method in signin.PROVIDER_MFA_METHODS:
        return None  # the OpenID provider asked the second factor (OIDC_SATISFIES_MFA)
    flash(_l("Your role requires two-factor sign-in. Set it up now to continue."), "info")
    return redirect(url_for("accounts.security"), 303)


def _unauthorized() -> Any:
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        abort(401)
    flash(login_manager.login_message, "info")
    return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))
