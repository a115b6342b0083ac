"""Signed badge codes: what the QR code on a badge carries.

A code is ``C1`` followed by the RFC 4648 base32 (no padding) of
``version | congress id (u32) | registration id (u32) | nonce (6 bytes) | Ed25519 signature (64)``.
Base32 uses only QR's alphanumeric alphabet, so the 127-character code fits a version-6 QR code
(41 modules, 0.6 mm each when printed 25 mm wide). A station verifies it offline with the edition's
public key alone, as pretix's signed secrets do; the private key never leaves the server.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PREFIX = "C1"
VERSION = 1
_PAYLOAD = struct.Struct(">BII6s")
SIGNATURE_BYTES = 64
CODE_LENGTH = len(PREFIX) + len(base64.b32encode(bytes(_PAYLOAD.size + SIGNATURE_BYTES)).rstrip(b"="))
MAX_CODE_LENGTH = 256  # anything longer is refused before any decoding


class InvalidCode(ValueError):
    """Malformed, forged or signed with another key."""


@dataclass(frozen=True)
class BadgeCode:
    congress_id: int
    registration_id: int
    nonce: bytes

    @property
    def nonce_hex(self) -> str:
        return self.nonce.hex()


@dataclass(frozen=True)
class KeyPair:
    private_key: bytes  # 32 raw bytes
    public_key: bytes  # 32 raw bytes


def generate_key_pair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    return KeyPair(
        private_key=private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def new_nonce() -> bytes:
    return secrets.token_bytes(6)


def sign(private_key: bytes, congress_id: int, registration_id: int, nonce: bytes | None = None) -> str:
    nonce = nonce if nonce is not None else new_nonce()
    payload = _PAYLOAD.pack(VERSION, congress_id, registration_id, nonce)
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(payload)
    return PREFIX + base64.b32encode(payload + signature).decode("ascii").rstrip("=")


def sign_bytes(private_key: bytes, payload: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(payload)


def verify_bytes(public_key: bytes, payload: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
    except (InvalidSignature, ValueError):
        return False
    return True


def peek(code: str) -> BadgeCode:
    """Decode without verifying (to find which edition's key to verify with)."""
    payload, _ = _split(code)
    version, congress_id, registration_id, nonce = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise InvalidCode("unknown version")
    return BadgeCode(congress_id, registration_id, nonce)


def verify(code: str, public_key: bytes) -> BadgeCode:
    payload, signature = _split(code)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
    except (InvalidSignature, ValueError):
        raise InvalidCode("signature does not verify") from None
    return peek(code)


def _split(code: str) -> tuple[bytes, bytes]:
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        raise InvalidCode("not a badge code")
    code = code.strip().upper()
    if not code.startswith(PREFIX) or len(code) != CODE_LENGTH:
        raise InvalidCode("not a badge code")
    body = code[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise InvalidCode("not base32") from None
    if len(raw) != _PAYLOAD.size + SIGNATURE_BYTES:
        raise InvalidCode("wrong length")
    if base64.b32encode(raw).decode("ascii").rstrip("=") != body:
        # The last character carries 3 unused bits: refuse every spelling but the canonical one.
        raise InvalidCode("not canonical")
    return raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
