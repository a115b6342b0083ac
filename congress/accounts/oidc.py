"""Single sign-on through the organisation's OpenID provider (OpenID Connect, the authorization code
flow with PKCE S256), with Authlib (the client, the ID token's claims) and joserfc (its signature).

:func:`begin` sends the browser to the provider with a new ``state``, ``nonce`` and PKCE verifier: the
browser's session keeps the three (``PENDING`` below), and the state is also an ``oidc_state`` row of the
one token table, spent by the one callback that brings it back (:func:`complete`), so that a state
replayed, even with a copied cookie, is refused. :func:`complete` exchanges the code at the provider's
token endpoint, verifies the ID token (signature with the provider's published keys, issuer, audience,
expiry, nonce), maps the groups in ``OIDC_ROLES_CLAIM`` to grants with ``OIDC_ROLE_MAP``, finds the
account by issuer and subject (``UserIdentity``) or creates it, and brings the grants the provider gave up
to date. Every refusal is a :class:`SignOnRefused` with a message for the person and a short code for
the audit log. Signing in itself is ``signin.sign_in``'s, as for a password.

The configuration is read from the application's config (see ``config.py`` and docs/single-sign-on.md)
and checked at start (:func:`check_configuration`); the provider's discovery document and keys are
fetched when first needed and kept for an hour (keys again at once when a token names an unknown key).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from congress.accounts import sessions, staff
from congress.accounts.models import (
    GRANT_SOURCE_OIDC,
    OidcStateToken,
    Role,
    RoleGrant,
    User,
    UserIdentity,
)
from congress.accounts.oidc_config import (
    MFA_ALWAYS,
    MFA_AMR,
    ConfigurationProblem,
    Mapping,
    Settings,
    check_configuration,
    enabled,
    parse_role_map,
    provider_name,
    settings,
    settings_from,
)
from congress.audit.services import record
from congress.database import utcnow, write_transaction
from congress.errors import ServiceError
from congress.extensions import db
from congress.sanitize import has_forbidden_characters
from congress.tokens import hash_secret
from congress.urls import external_url

log = logging.getLogger(__name__)
__all__ = ["ConfigurationProblem", "Mapping", "Settings", "check_configuration", "enabled", "parse_role_map",
           "provider_name", "settings", "settings_from"]

# In the browser's session between leaving for the provider and coming back.
PENDING = "oidc_pending"
STATE_MINUTES = 10  # the provider's sign-in is to be finished within ten minutes
CACHE_SECONDS = 3600  # discovery document and keys


# --- refusals --------------------------------------------------------------------------------------


class SignOnRefused(ServiceError):
    """A single sign-on that did not succeed: ``message`` for the person (translated), ``code`` for the
    audit log (``state``, ``provider-error``, ``audience``, ``expired``, ``token``, ``no-group``,
    ``no-email``, ``email-taken``, ``inactive``, ``unavailable``); ``email`` and ``user`` when known."""

    status = 403

    def __init__(self, message: Any, *, code: str, status: int = 403, email: str = "",
                 user: User | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.email = email
        self.user = user


def _unavailable(found: Settings) -> SignOnRefused:
    return SignOnRefused(_("%(provider)s cannot be reached just now, so you have not been signed in. Try again "
                           "in a few minutes.", provider=found.provider_name), code="unavailable", status=503)


# --- the provider's discovery document and keys -----------------------------------------------------

_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _fetch_json(found: Settings, url: str) -> Any:
    try:
        response = requests.get(url, timeout=found.timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("single sign-on: %s could not be read (%s)", url, exc)
        raise _unavailable(found) from None


def _cached(key: tuple[str, str], load: Any, *, force: bool = False) -> Any:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and not force and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    with _cache_lock:
        _cache[key] = (now, value)
    return value


def metadata(found: Settings) -> dict[str, Any]:
    """The provider's discovery document (``<issuer>/.well-known/openid-configuration``), whose
    ``issuer`` must be the configured one (OpenID Connect Discovery §4.3)."""

    def load() -> dict[str, Any]:
        document = _fetch_json(found, found.issuer + "/.well-known/openid-configuration")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document, dict) or any(not isinstance(document.get(k), str) for k in needed):
            log.warning("single sign-on: the discovery document of %s lacks %s", found.issuer, needed)
            raise _unavailable(found)
        if document["issuer"].rstrip("/") != found.issuer:
            log.warning("single sign-on: the discovery document names issuer %r, configured is %r",
                        document["issuer"], found.issuer)
            raise _unavailable(found)
        return document

    return _cached(("metadata", found.issuer), load)


def _keys(found: Settings, document: dict[str, Any], *, force: bool = False) -> KeySet:
    def load() -> KeySet:
        try:
            return KeySet.import_key_set(_fetch_json(found, document["jwks_uri"]))
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            log.warning("single sign-on: the keys of %s cannot be read (%s)", found.issuer, exc)
            raise _unavailable(found) from None

    return _cached(("jwks", found.issuer), load, force=force)


def forget_provider() -> None:
    """Forget the cached discovery documents and keys (a provider changed its keys; tests)."""
    with _cache_lock:
        _cache.clear()


# --- the flow --------------------------------------------------------------------------------------


def callback_url() -> str:
    """The redirect URI to register at the provider: from PUBLIC_BASE_URL, never from the request."""
    return external_url("accounts.oidc_callback")


def _session(found: Settings, **kwargs: Any) -> OAuth2Session:
    return OAuth2Session(found.client_id, found.client_secret, scope=found.scopes, redirect_uri=callback_url(),
                         code_challenge_method="S256", **kwargs)


def begin(next_url: str) -> tuple[str, dict[str, Any]]:
    """Where to send the browser (the provider's authorization endpoint) and what its session keeps until
    it comes back: the state, the nonce, the PKCE verifier and where to go afterwards. The state is also
    stored (hashed) as a single-use token that expires after ``STATE_MINUTES``."""
    found = settings()
    if found is None:
        raise SignOnRefused(_("Single sign-on is not configured here."), code="disabled", status=404)
    document = metadata(found)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url, _state = _session(found).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier)
    with write_transaction():
        now = utcnow()
        # The states of sign-ons nobody finished are of no use once expired.
        db.session.execute(sa.delete(OidcStateToken).where(OidcStateToken.expires_at < now - timedelta(hours=1)))
        db.session.add(OidcStateToken(token_hash=hash_secret(state), expires_at=now + timedelta(minutes=STATE_MINUTES)))
    return url, {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url}


def _state_refused() -> SignOnRefused:
    return SignOnRefused(_("This sign-in could not be completed: it was started in another browser or tab, took "
                           "longer than %(minutes)d minutes, or has been completed already. Start again.",
                           minutes=STATE_MINUTES), code="state", status=400)


def _spend_state(state: str) -> bool:
    """Spend the stored state once: True for the one request that spends it while it holds."""
    with write_transaction():
        result = db.session.execute(
            sa.update(OidcStateToken)
            .where(OidcStateToken.token_hash == hash_secret(state), OidcStateToken.used_at.is_(None),
                   OidcStateToken.expires_at > utcnow())
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return (result.rowcount or 0) == 1


@dataclass(frozen=True)
class SignedOn:
    """A single sign-on that succeeded: the account, whether it was created now, whether the provider's
    sign-in counts as the second factor, the grants added and removed, and where to go next."""

    user: User
    created: bool
    provider_mfa: bool
    added: int
    removed: int
    next_url: str


def complete(pending: Any, args: MappingType[str, str]) -> SignedOn:
    """The callback: check the state (this browser's, not spent, not expired), exchange the code, verify
    the ID token, map the groups, and find, link or create the account with its grants."""
    found = settings()
    if found is None:
        raise SignOnRefused(_("Single sign-on is not configured here."), code="disabled", status=404)
    state = args.get("state") or ""
    if (not isinstance(pending, dict) or not isinstance(pending.get("state"), str) or not state
            or len(state) > 200 or not hmac.compare_digest(pending["state"].encode(), state.encode())):
        raise _state_refused()
    if not _spend_state(state):
        raise _state_refused()
    if args.get("error"):
        raise _provider_error(found, str(args.get("error"))[:64], str(args.get("error_description") or "")[:300])
    code = args.get("code") or ""
    if not code or len(code) > 2000:
        raise _state_refused()
    claims = _verified_claims(found, code, str(pending.get("verifier") or ""), str(pending.get("nonce") or ""))
    try:
        return _account(found, claims, str(pending.get("next") or ""))
    except sa.exc.IntegrityError:  # the same first sign-on twice at once: the other one made the account
        raise SignOnRefused(_("You were being signed in twice at the same time. Start again."),
                            code="conflict", status=409) from None


def _provider_error(found: Settings, error: str, description: str) -> SignOnRefused:
    log.info("single sign-on: the provider answered %s (%s)", error, description)
    if error in ("access_denied", "login_required", "interaction_required", "consent_required"):
        message = _("You did not sign in at %(provider)s, so you have not been signed in here either. Start again "
                    "when you want to.", provider=found.provider_name)
    else:
        message = _("%(provider)s could not sign you in (its answer: %(error)s). Try again, or ask your own IT "
                    "helpdesk if it keeps happening.", provider=found.provider_name, error=error)
    return SignOnRefused(message, code="provider-error", status=400)


def _token_refused(found: Settings, code: str = "token") -> SignOnRefused:
    messages = {
        "audience": _("You have not been signed in: %(provider)s gave a token meant for another application than "
                      "this one.", provider=found.provider_name),
        "expired": _("You have not been signed in: the token from %(provider)s has expired. Start again; if this "
                     "keeps happening, the clock of this server or of the provider is wrong.",
                     provider=found.provider_name),
        "token": _("You have not been signed in: the token from %(provider)s could not be verified. Start again.",
                   provider=found.provider_name),
    }
    return SignOnRefused(messages.get(code, messages["token"]), code=code)


def _verified_claims(found: Settings, code: str, verifier: str, nonce: str) -> dict[str, Any]:
    document = metadata(found)
    try:
        token = _session(found).fetch_token(document["token_endpoint"], code=code, code_verifier=verifier,
                                            timeout=found.timeout)
    except OAuthError as exc:
        log.info("single sign-on: the token endpoint refused the code (%s)", exc.error)
        raise _token_refused(found) from None
    except (requests.RequestException, ValueError) as exc:
        log.warning("single sign-on: the token endpoint of %s failed (%s)", found.issuer, exc)
        raise _unavailable(found) from None
    id_token = token.get("id_token") if isinstance(token, dict) else None
    if not isinstance(id_token, str) or not nonce:
        raise _token_refused(found)
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in algorithms if isinstance(a, str) and a != "none"]
    try:
        try:
            decoded = jwt.decode(id_token, _keys(found, document), algorithms=algorithms)
        except InvalidKeyIdError:  # the provider rolled its keys over: read them again, once
            decoded = jwt.decode(id_token, _keys(found, document, force=True), algorithms=algorithms)
        claims = CodeIDToken(
            decoded.claims, decoded.header,
            {"iss": {"essential": True, "value": found.issuer}, "aud": {"essential": True, "value": found.client_id}},
            {"nonce": nonce, "client_id": found.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=found.leeway)
    except ExpiredTokenError:
        raise _token_refused(found, "expired") from None
    except ClaimError as exc:
        log.info("single sign-on: the ID token's claim %s is not valid", exc.claim)
        raise _token_refused(found, "audience" if exc.claim in ("aud", "azp") else "token") from None
    except (JoseError, ValueError, TypeError) as exc:
        log.info("single sign-on: the ID token cannot be verified (%s)", exc)
        raise _token_refused(found) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise _token_refused(found)
    return dict(claims)


# --- from claims to an account ------------------------------------------------------------------


def groups_of(found: Settings, claims: MappingType[str, Any]) -> list[str]:
    """The groups in the roles claim: a list of texts, one text, or nested (``realm_access.roles``)."""
    value: Any = claims
    for part in found.roles_claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]


def _track_id(congress_id: int, name: str) -> int | None:
    tracks = db.metadata.tables["tracks"]
    wanted = name.strip().lower()
    return db.session.scalar(sa.select(tracks.c.id).where(
        tracks.c.congress_id == congress_id,
        sa.or_(sa.func.lower(tracks.c.name_nl) == wanted, sa.func.lower(tracks.c.name_en) == wanted)))


def _edition_id(slug: str) -> int | None:
    congresses = db.metadata.tables["congresses"]
    return db.session.scalar(sa.select(congresses.c.id).where(congresses.c.slug == slug))


def wanted_grants(found: Settings, groups: list[str]) -> set[tuple[str, int | None, int | None]]:
    """The grants (role, edition id, track id) these groups give. A mapping naming an edition or track
    that does not exist (yet) gives nothing, and is logged."""
    grants: set[tuple[str, int | None, int | None]] = set()
    for group in groups:
        for mapping in found.role_map.get(group, ()):
            congress_id = None
            if mapping.edition:
                congress_id = _edition_id(mapping.edition)
                if congress_id is None:
                    log.warning("single sign-on: OIDC_ROLE_MAP group %r names edition %r, which does not exist",
                                group, mapping.edition)
                    continue
            track_id = None
            if mapping.track and congress_id is not None:
                track_id = _track_id(congress_id, mapping.track)
                if track_id is None:
                    log.warning("single sign-on: OIDC_ROLE_MAP group %r names track %r, not in edition %r",
                                group, mapping.track, mapping.edition)
                    continue
            planned = staff.planned_grants(mapping.role, congress_ids=(congress_id,),
                                           track_ids=(track_id,) if track_id else ())
            grants.update(planned)
    return grants


def _email_of(claims: MappingType[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or not email or len(email) > 254:
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ""


def _name_of(claims: MappingType[str, Any], email: str) -> str:
    for key in ("name", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip() and not has_forbidden_characters(value):
            return value.strip()[:200]
    parts = [claims.get("given_name"), claims.get("family_name")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip() and not has_forbidden_characters(p))
    return joined[:200] or email.split("@")[0]


def provider_did_mfa(found: Settings, claims: MappingType[str, Any]) -> bool:
    """Whether this sign-on counts as the second factor (``OIDC_SATISFIES_MFA``)."""
    if found.satisfies_mfa == MFA_ALWAYS:
        return True
    if found.satisfies_mfa == MFA_AMR:
        amr = claims.get("amr")
        return isinstance(amr, list) and "mfa" in amr
    return False


def _account(found: Settings, claims: dict[str, Any], next_url: str) -> SignedOn:
    subject = claims["sub"]
    email = _email_of(claims)
    wanted = wanted_grants(found, groups_of(found, claims))
    identity = db.session.scalar(sa.select(UserIdentity).where(UserIdentity.issuer == found.issuer,
                                                                 UserIdentity.subject == subject))
    if not wanted:
        user = identity.user if identity is not None else None
        if user is not None:  # the provider no longer gives a role: what it gave ends now
            with write_transaction():
                _added, removed = _sync_grants(user, set())
                if removed:
                    sessions.end_sessions(user, except_current=False, reason=sessions.REASON_ROLES)
        raise SignOnRefused(
            _("You signed in at %(provider)s as %(email)s, but none of your groups there gives a role in this "
              "congress system. Ask the congress organisers to give you access.",
              provider=found.provider_name, email=email or subject),
            code="no-group", email=email or subject, user=user)
    with write_transaction():
        created = False
        if identity is not None:
            user = identity.user
            if not user.active:
                raise SignOnRefused(_("Your account in this congress system has been deactivated. Ask the congress "
                                      "organisers if you need it again."), code="inactive", email=user.email, user=user)
            _update_profile(user, email, claims)
        else:
            user, created = _link_or_create(found, claims, email, subject)
            identity = UserIdentity(user=user, issuer=found.issuer, subject=subject)
            db.session.add(identity)
        identity.last_login_at = utcnow()
        added, removed = _sync_grants(user, wanted)
        if created:
            record("user.create", user, actor=user, method="oidc", roles=sorted({g[0] for g in wanted}))
        elif added or removed:  # a change of privilege: the sessions begun with the old roles end
            sessions.end_sessions(user, except_current=True, reason=sessions.REASON_ROLES)
    return SignedOn(user=user, created=created, provider_mfa=provider_did_mfa(found, claims), added=added,
                    removed=removed, next_url=next_url)


def _update_profile(user: User, email: str, claims: MappingType[str, Any]) -> None:
    """A later sign-on brings the name, and the address when no other account has it, up to date."""
    name = _name_of(claims, email or user.email)
    if name and name != user.name:
        user.name = name
    if email and email != user.email and claims.get("email_verified") is True:
        taken = db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user.id))
        if taken is None:
            record("user.email_changed", user, actor=user, method="oidc")
            user.email = email


def _link_or_create(found: Settings, claims: MappingType[str, Any], email: str, subject: str) -> tuple[User, bool]:
    """The first sign-on of this identity. An account with the same address is linked to it only when the
    provider says it verified the address (``email_verified``) and the account has no other identity at
    this provider; otherwise the sign-on is refused (an administrator decides). Else a new account."""
    if not email:
        raise SignOnRefused(_("%(provider)s did not give an e-mail address for your account, which this congress "
                              "system needs. Ask your own IT helpdesk.", provider=found.provider_name),
                            code="no-email", email=subject)
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is None:
        user = User(email=email, name=_name_of(claims, email))
        db.session.add(user)
        db.session.flush()
        return user, True
    other = db.session.scalar(sa.select(UserIdentity.id).where(UserIdentity.user_id == existing.id,
                                                               UserIdentity.issuer == found.issuer))
    if claims.get("email_verified") is not True or other is not None:
        raise SignOnRefused(
            _("An account with the address %(email)s exists already in this congress system, and it cannot be "
              "linked to your account at %(provider)s by itself. Ask an administrator.",
              email=email, provider=found.provider_name), code="email-taken", status=409, email=email, user=existing)
    if not existing.active:
        raise SignOnRefused(_("Your account in this congress system has been deactivated. Ask the congress "
                              "organisers if you need it again."), code="inactive", email=email, user=existing)
    record("user.identity_linked", existing, actor=existing, method="oidc")
    return existing, False


def _sync_grants(user: User, wanted: set[tuple[str, int | None, int | None]]) -> tuple[int, int]:
    """Add the grants the provider gives that the account lacks (marked as the provider's) and remove the
    provider's grants it no longer gives; grants given in Congres stay. Each change is audited like one
    on the staff page, with ``source: oidc``. The last active administrator keeps the role."""
    held = {(g.role, g.congress_id, g.track_id) for g in user.grants}
    added = removed = 0
    for role, congress_id, track_id in sorted(wanted - held, key=lambda g: (g[0], g[1] or 0, g[2] or 0)):
        user.grants.append(RoleGrant(role=role, congress_id=congress_id, track_id=track_id, source=GRANT_SOURCE_OIDC))
        record("user.role_granted", user, actor=user, congress_id=congress_id, role=role, edition_id=congress_id,
               track_id=track_id, source=GRANT_SOURCE_OIDC)
        added += 1
    for grant in [g for g in user.grants if g.source == GRANT_SOURCE_OIDC
                  and (g.role, g.congress_id, g.track_id) not in wanted]:
        if grant.role == Role.ADMIN.value and user.id is not None and staff.is_last_admin(user, grant):
            log.warning("single sign-on: %s keeps the administrator role (the last active administrator)", user.email)
            continue
        record("user.role_revoked", user, actor=user, congress_id=grant.congress_id, role=grant.role,
               edition_id=grant.congress_id, track_id=grant.track_id, source=GRANT_SOURCE_OIDC)
        user.grants.remove(grant)
        removed += 1
    db.session.flush()
    return added, removed
