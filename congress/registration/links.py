"""The personal link: its secret (kept only as a hash), finding a registration by it, and mailing it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import abort, current_app

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.registration.errors import RegistrationError
from congress.registration.models import Registration
from congress.registration.validation import normalise_email
from congress.tokens import hash_secret
from congress.urls import external_url


def _secret_for_nonce(nonce: str) -> str:
    """The personal link's secret: HMAC-SHA256(SECRET_KEY, nonce), 256 bits.

    The database keeps only its hash and the nonce; without the application's key neither reveals
    the link, yet every e-mail can carry the same link (calendar subscriptions keep working).
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"registration-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_link(registration: Registration) -> str:
    nonce = secrets.token_urlsafe(24)
    secret = _secret_for_nonce(nonce)
    registration.manage_nonce = nonce
    registration.manage_secret_hash = hash_secret(secret)
    return secret


def manage_secret(registration: Registration) -> str:
    return _secret_for_nonce(registration.manage_nonce)


def find_by_secret(secret: str) -> Registration | None:
    if not secret or len(secret) < 20 or len(secret) > 100:
        return None
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.manage_secret_hash == hash_secret(secret))
    )
    if registration is None or registration.erased_at is not None:
        return None
    return registration


def by_secret_or_404(secret: str) -> Registration:
    """The registration a personal link names, or a 404 (pages behind ``/my/<secret>/…``)."""
    registration = find_by_secret(secret)
    if registration is None:
        abort(404)
    return registration


def manage_url(registration: Registration) -> str:
    return external_url("registration.manage", secret=manage_secret(registration))


@transactional
def send_link(congress: Congress, email: str) -> None:
    """E-mail the personal link when the address has an active registration; silent otherwise (the caller
    answers the same either way)."""
    try:
        email_key = normalise_email(email)
    except RegistrationError:
        return
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.email_key == email_key))
    if registration is None:
        return
    record("registration.link_sent", registration)
    queue_mail(registration.email, "registration/link", locale=registration.locale, congress_id=congress.id,
               registration=registration, congress=congress, link=manage_url(registration))


@transactional
def new_link(registration: Registration) -> str:
    """Organisers: replace a (leaked) personal link by a new one and mail it."""
    secret = _new_link(registration)
    record("registration.link_replaced", registration)
    queue_mail(registration.email, "registration/link", locale=registration.locale,
               congress_id=registration.congress_id, registration=registration, congress=registration.congress,
               link=external_url("registration.manage", secret=secret))
    return secret
