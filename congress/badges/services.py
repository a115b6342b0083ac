"""Badges: edition keys, signing and verifying the codes on badges, and rendering them."""

from __future__ import annotations

import base64

import sqlalchemy as sa

from congress.badges import tokens
from congress.badges.models import EditionKey
from congress.core.models import Congress
from congress.extensions import db


def ensure_edition_key(congress: Congress) -> EditionKey:
    """The edition's key pair, made on first need (and when the edition is created)."""
    if congress.id is None:
        db.session.flush()
    key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == congress.id))
    if key is None:
        pair = tokens.generate_key_pair()
        key = EditionKey(congress_id=congress.id, public_key=pair.public_key, private_key=pair.private_key)
        db.session.add(key)
        db.session.flush()
    return key


def public_key_b64(congress: Congress) -> str:
    """The public key as stations download it (base64 of the 32 raw bytes)."""
    return base64.b64encode(ensure_edition_key(congress).public_key).decode("ascii")


def sign_code(congress: Congress, registration_id: int, nonce: bytes | None = None) -> str:
    return tokens.sign(ensure_edition_key(congress).private_key, congress.id, registration_id, nonce)


def verify_code(code: str, congress: Congress | None = None) -> tokens.BadgeCode:
    """Verify against the key of the edition the code names; with ``congress``, refuse other editions.

    Raises ``tokens.InvalidCode`` for malformed, forged or unknown-edition codes and
    ``WrongCongress`` for a valid code of another edition.
    """
    claimed = tokens.peek(code)
    key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == claimed.congress_id))
    if key is None:
        raise tokens.InvalidCode("unknown edition")
    verified = tokens.verify(code, key.public_key)
    if congress is not None and verified.congress_id != congress.id:
        raise WrongCongress(verified)
    return verified


class WrongCongress(ValueError):
    def __init__(self, code: tokens.BadgeCode) -> None:
        super().__init__("the code belongs to another edition")
        self.code = code
