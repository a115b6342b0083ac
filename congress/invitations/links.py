"""The personal invitation link: its secret derived from a stored nonce (only the secret's hash is
kept, as for the registration's personal link), so that a reminder carries the same link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app

from congress.extensions import db
from congress.invitations.models import Invitee
from congress.tokens import hash_secret
from congress.urls import external_url


def secret_for_nonce(nonce: str) -> str:
    """HMAC-SHA256(SECRET_KEY, nonce), 256 bits, URL-safe."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"invitation-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_link() -> tuple[str, str]:
    """(nonce, hash of the secret) for a new invitee."""
    nonce = secrets.token_urlsafe(24)
    return nonce, hash_secret(secret_for_nonce(nonce))


def secret_of(invitee: Invitee) -> str:
    return secret_for_nonce(invitee.link_nonce)


def find_by_secret(secret: str | None, congress_id: int | None = None) -> Invitee | None:
    """The invitee a link names (of this edition when given); None for anything else."""
    if not isinstance(secret, str) or not 20 <= len(secret) <= 100:
        return None
    query = sa.select(Invitee).where(Invitee.link_secret_hash == hash_secret(secret))
    if congress_id is not None:
        query = query.where(Invitee.congress_id == congress_id)
    return db.session.scalar(query)


def register_url(invitee: Invitee, slug: str) -> str:
    return external_url("registration.register", slug=slug, invite=secret_of(invitee))


def decline_url(invitee: Invitee, slug: str) -> str:
    return external_url("invitations.respond", slug=slug, secret=secret_of(invitee))
