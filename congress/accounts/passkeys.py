"""Passkeys (WebAuthn, with py_webauthn) as a second factor, next to the TOTP code of ``accounts.mfa``.

A ceremony has two halves. :func:`registration_options` / :func:`authentication_options` make a new
random challenge: the browser's session keeps it (the views put it there) and a row of the one token
table (:class:`PasskeyChallengeToken`, its SHA-256, for this user and this purpose) makes it single-use
and expiring after ``CHALLENGE_MINUTES``. :func:`register` / :func:`authenticate` spend that row first
(one request only, the database decides) and then let the library verify the browser's answer against
the challenge, the relying party id and the origin. Those come from ``PUBLIC_BASE_URL``
(:func:`relying_party`), never from the request's Host header.

Signing in with a passkey checks its signature counter under the row's lock: once an authenticator
counts, an assertion whose counter is not above the highest seen is refused (a cloned key), and so is
a credential of another account. Adding a passkey is an audit event; removing one is
``mfa.remove_passkey`` (it keeps the last second factor of a role that requires one).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from congress.accounts.models import Passkey, PasskeyChallengeToken, User
from congress.audit.services import record
from congress.database import lock_for_update, utcnow, write_transaction
from congress.errors import ServiceError
from congress.extensions import db
from congress.tokens import hash_secret
from congress.urls import public_base_url

RP_NAME = "Congres"
CHALLENGE_MINUTES = 5
PURPOSE_REGISTER = "register"
PURPOSE_SIGN_IN = "sign-in"
NAME_LENGTH = 100
# What the browser's answer may weigh: an attestation with a certificate chain is a few kilobytes.
MAX_CREDENTIAL_CHARACTERS = 64_000
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
# What parsing a hostile answer may raise besides the library's own errors (wrong types, bad base64).
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


class PasskeyRefused(ServiceError):
    """The passkey (or the answer of the browser) was not accepted; the message is translated."""


@dataclass(frozen=True)
class Ceremony:
    """The options for ``navigator.credentials`` (JSON text) and the challenge for the session."""

    options_json: str
    challenge: str


def relying_party() -> tuple[str, str]:
    """(RP id, origin) from ``PUBLIC_BASE_URL``: its host name, and its scheme, host and port."""
    base = urlsplit(public_base_url())
    host = (base.hostname or "localhost").lower()
    return host, f"{base.scheme}://{base.netloc.lower()}"


def user_handle(user: User) -> bytes:
    """The WebAuthn user id of ``user``: stable, and neither the e-mail address nor the database id."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"passkey-user:{user.id}".encode(), hashlib.sha256).digest()


def of(user: User) -> list[Passkey]:
    """The passkeys of ``user``, the oldest first."""
    return list(db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def has_passkeys(user: User) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count(Passkey.id)).where(Passkey.user_id == user.id)))


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports.split(",") if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=_b64decode(passkey.credential_id), transports=transports or None)


def _b64decode(text: str) -> bytes:
    return base64url_to_bytes(text)


def _store_challenge(user: User, challenge: bytes, purpose: str) -> str:
    encoded = bytes_to_base64url(challenge)
    with write_transaction():
        now = utcnow()
        # Challenges of ceremonies nobody finished are of no use once expired.
        db.session.execute(sa.delete(PasskeyChallengeToken).where(
            PasskeyChallengeToken.expires_at < now - timedelta(hours=1)))
        db.session.add(PasskeyChallengeToken(token_hash=hash_secret(encoded), user_id=user.id, scope=purpose,
                                             expires_at=now + timedelta(minutes=CHALLENGE_MINUTES)))
    return encoded


def _spend_challenge(user: User, challenge: Any, purpose: str) -> bytes:
    """Spend the stored challenge once, in a transaction of its own (it stays spent when the answer
    is then refused): its bytes, or PasskeyRefused."""
    refused = PasskeyRefused(_("This request has expired or has been used already. Try again."), code="challenge")
    if not isinstance(challenge, str) or not challenge or len(challenge) > 200:
        raise refused
    with write_transaction():
        result = db.session.execute(
            sa.update(PasskeyChallengeToken)
            .where(PasskeyChallengeToken.token_hash == hash_secret(challenge), PasskeyChallengeToken.user_id == user.id,
                   PasskeyChallengeToken.scope == purpose, PasskeyChallengeToken.used_at.is_(None),
                   PasskeyChallengeToken.expires_at > utcnow())
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if (result.rowcount or 0) != 1:
        raise refused
    try:
        return _b64decode(challenge)
    except _MALFORMED:
        raise refused from None


def _credential_text(credential: Any) -> str:
    """The browser's answer as JSON text for the library; PasskeyRefused when it is no object or too big."""
    if not isinstance(credential, dict):
        raise PasskeyRefused(_("The browser's answer could not be read. Try again."), code="malformed")
    try:
        text = json.dumps(credential)
    except (TypeError, ValueError):
        raise PasskeyRefused(_("The browser's answer could not be read. Try again."), code="malformed") from None
    if len(text) > MAX_CREDENTIAL_CHARACTERS:
        raise PasskeyRefused(_("The browser's answer could not be read. Try again."), code="malformed")
    return text


def _transports(credential: dict) -> list[str]:
    """The transports the browser named for a new passkey (the known ones), kept as hints for sign-in."""
    response = credential.get("response")
    listed = response.get("transports") if isinstance(response, dict) else None
    return [t for t in listed if isinstance(t, str) and t in _TRANSPORTS] if isinstance(listed, list) else []


def clean_name(name: Any) -> str:
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise PasskeyRefused(_("Give the passkey a name, such as “Laptop” or “Phone”."), field="name", code="name")
    if len(text) > NAME_LENGTH:
        raise PasskeyRefused(_("Use at most %(n)d characters.", n=NAME_LENGTH), field="name", code="name")
    return text


# --- adding a passkey ----------------------------------------------------------------------


def registration_options(user: User) -> Ceremony:
    """Options to create a passkey for ``user`` (their existing ones excluded: one per authenticator)."""
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_name=user.email, user_id=user_handle(user),
        user_display_name=user.name or user.email,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[_descriptor(p) for p in of(user)],
        timeout=CHALLENGE_MINUTES * 60 * 1000,
    )
    challenge = _store_challenge(user, options.challenge, PURPOSE_REGISTER)
    return Ceremony(options_to_json(options), challenge)


def register(user: User, *, name: Any, credential: Any, challenge: Any) -> Passkey:
    """Verify the answer to :func:`registration_options` and keep the passkey as ``name``."""
    label = clean_name(name)
    text = _credential_text(credential)
    rp_id, origin = relying_party()
    expected = _spend_challenge(user, challenge, PURPOSE_REGISTER)
    with write_transaction():
        try:
            verified = verify_registration_response(credential=text, expected_challenge=expected,
                                                    expected_rp_id=rp_id, expected_origin=origin)
        except _MALFORMED:
            raise PasskeyRefused(_("The passkey could not be verified. Try again."), code="invalid") from None
        credential_id = bytes_to_base64url(verified.credential_id)
        if len(credential_id) > 1400:
            raise PasskeyRefused(_("The passkey could not be verified. Try again."), code="invalid")
        if db.session.scalar(sa.select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
            raise PasskeyRefused(_("This passkey has been added already."), code="duplicate")
        kept = _transports(credential)
        passkey = Passkey(user_id=user.id, name=label, credential_id=credential_id,
                          public_key=verified.credential_public_key, sign_count=verified.sign_count,
                          transports=",".join(dict.fromkeys(kept))[:200], aaguid=str(verified.aaguid)[:36],
                          backed_up=bool(verified.credential_backed_up))
        db.session.add(passkey)
        db.session.flush()
        record("user.passkey_added", user, passkey=label)
    return passkey


# --- signing in with a passkey -------------------------------------------------------------


def authentication_options(user: User) -> Ceremony:
    """Options to sign ``user`` in with one of their passkeys (after the password)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=[_descriptor(p) for p in of(user)],
        user_verification=UserVerificationRequirement.PREFERRED, timeout=CHALLENGE_MINUTES * 60 * 1000)
    challenge = _store_challenge(user, options.challenge, PURPOSE_SIGN_IN)
    return Ceremony(options_to_json(options), challenge)


class ClonedPasskey(PasskeyRefused):
    """The signature counter did not go up: a copy of the passkey, or an answer replayed."""


def authenticate(user: User, *, credential: Any, challenge: Any) -> Passkey:
    """Verify the answer to :func:`authentication_options`: one of ``user``'s passkeys signed the
    challenge, for this relying party and origin, with a counter above the one seen last."""
    text = _credential_text(credential)
    wrong = PasskeyRefused(_("This passkey could not be verified. Try again, or use a code."), code="invalid")
    rp_id, origin = relying_party()
    expected = _spend_challenge(user, challenge, PURPOSE_SIGN_IN)
    with write_transaction():
        try:
            parsed = parse_authentication_credential_json(text)
        except _MALFORMED:
            raise wrong from None
        passkey = db.session.scalar(lock_for_update(sa.select(Passkey).where(
            Passkey.credential_id == bytes_to_base64url(parsed.raw_id), Passkey.user_id == user.id)))
        if passkey is None:
            raise PasskeyRefused(_("This passkey is not one of your account's."), code="unknown")
        try:
            # The counter is checked below, under the row's lock, so that two answers with one count
            # cannot both pass.
            verified = verify_authentication_response(
                credential=parsed, expected_challenge=expected, expected_rp_id=rp_id, expected_origin=origin,
                credential_public_key=passkey.public_key, credential_current_sign_count=0)
        except _MALFORMED:
            raise wrong from None
        if (verified.new_sign_count > 0 or passkey.sign_count > 0) and verified.new_sign_count <= passkey.sign_count:
            raise ClonedPasskey(_("This passkey was refused: its counter went backwards, as with a copied key. "
                                  "Use a code, and remove the passkey if you did not copy it."), code="sign-count")
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = utcnow()
        passkey.backed_up = bool(verified.credential_backed_up)
    return passkey
