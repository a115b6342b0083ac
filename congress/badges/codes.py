"""Badges: edition keys, signing and verifying the codes on badges, and the codes issued to
registrations (a lost badge gets a new code, which revokes the old one)."""

from __future__ import annotations

import base64

import sqlalchemy as sa
from flask import current_app

from congress.audit.services import record
from congress.badges import tokens
from congress.badges.models import EditionKey, IssuedCode
from congress.core.models import Congress
from congress.database import lock_for_update, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.registration.models import Registration


def ensure_edition_key(congress: Congress) -> EditionKey:
    """The edition's key pair, made on first need (and when the edition is created)."""
    if congress.id is None:
        db.session.flush()
    key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == congress.id))
    if key is not None:
        return key
    with write_transaction(keep_loaded=True):  # joins the edition's creation when called from it
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


def verify_code(code: str, congress: Congress | int | None = None) -> tokens.BadgeCode:
    """Verify against the key of the edition the code names; with ``congress`` (or its id), refuse
    other editions.

    Raises ``tokens.InvalidCode`` for malformed, forged or unknown-edition codes and
    ``WrongCongress`` for a valid code of another edition.
    """
    claimed = tokens.peek(code)
    cache = current_app.extensions.setdefault("badge_public_keys", {})
    public_key = cache.get(claimed.congress_id)
    try:
        verified = tokens.verify(code, public_key) if public_key is not None else None
    except tokens.InvalidCode:
        verified = None  # forged, or the cached key is stale: ask the database
    if verified is None:
        public_key = db.session.scalar(
            sa.select(EditionKey.public_key).where(EditionKey.congress_id == claimed.congress_id))
        if public_key is None:
            raise tokens.InvalidCode("unknown edition")
        verified = tokens.verify(code, public_key)
        # Public keys are public and never change for an edition: a scan need not read them again.
        cache[claimed.congress_id] = public_key
    expected = congress.id if isinstance(congress, Congress) else congress
    if expected is not None and verified.congress_id != expected:
        raise WrongCongress(verified)
    return verified


def sign_with_edition_key(congress: Congress, payload: bytes) -> bytes:
    """The Ed25519 signature of ``payload`` with the edition's private key (for other signed documents
    of the edition, such as certificates; the key never leaves this module)."""
    return tokens.sign_bytes(ensure_edition_key(congress).private_key, payload)


def verify_with_edition_key(congress_id: int, payload: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the edition's signature of ``payload`` (False for an unknown edition)."""
    public_key = db.session.scalar(sa.select(EditionKey.public_key).where(EditionKey.congress_id == congress_id))
    return public_key is not None and tokens.verify_bytes(public_key, payload, signature)


class WrongCongress(ValueError):
    def __init__(self, code: tokens.BadgeCode) -> None:
        super().__init__("the code belongs to another edition")
        self.code = code


# --- codes issued to registrations --------------------------------------------------------------

def issue_code(registration: Registration) -> str:
    """The registration's valid code, issued on first need."""
    return issue_codes([registration])[registration.id]


def _valid_codes(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(
        sa.select(IssuedCode.registration_id, IssuedCode.code)
        .where(IssuedCode.registration_id.in_(ids), IssuedCode.revoked_at.is_(None))
    ).all())


def issue_codes(registrations: list[Registration]) -> dict[int, str]:
    """Every registration's valid code by registration id; the missing ones are issued in one write
    transaction (none when every code exists: printing again writes nothing)."""
    ids = [r.id for r in registrations]
    codes: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        codes.update(_valid_codes(ids[start:start + 500]))
    missing = [r for r in registrations if r.id not in codes]
    if not missing:
        return codes
    with write_transaction(keep_loaded=True):
        # PostgreSQL: one issuer per registration at a time (the partial unique index backs it up).
        db.session.execute(lock_for_update(
            sa.select(Registration.id).where(Registration.id.in_([r.id for r in missing]))))
        codes.update(_valid_codes([r.id for r in missing]))
        for registration in missing:
            if registration.id not in codes:
                codes[registration.id] = _new_code(registration)
    return codes


@transactional
def reissue_code(registration: Registration) -> str:
    """Revoke the current code (a lost badge) and issue a new one."""
    db.session.execute(
        sa.update(IssuedCode)
        .where(IssuedCode.registration_id == registration.id, IssuedCode.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    code = _new_code(registration)
    record("badge.reissue", registration, congress_id=registration.congress_id)
    return code


def _new_code(registration: Registration) -> str:
    nonce = tokens.new_nonce()
    code = sign_code(registration.congress, registration.id, nonce)
    db.session.add(IssuedCode(congress_id=registration.congress_id, registration_id=registration.id,
                              nonce=nonce.hex(), code=code))
    db.session.flush()
    return code
