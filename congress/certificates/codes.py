"""Verification codes: what the QR code and the ``/verify/<code>`` link of a certificate carry.

A code is ``V1`` followed by the RFC 4648 base32 (no padding, upper case) of
``version (u8) | congress id (u32) | record id (u32) | Ed25519 signature (64 bytes)``: 119 characters,
all in QR's alphanumeric alphabet. The signature is the edition's key's (the key that signs badge
codes, ``badges``) over a domain tag and the nine payload bytes, so a badge signature never verifies as
a certificate's. The record itself (name, hours, points) is read from the database: the code only
proves which record the edition issued.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

PREFIX = "V1"
VERSION = 1
DOMAIN = b"congress.certificate.v1|"
_PAYLOAD = struct.Struct(">BII")
SIGNATURE_BYTES = 64
CODE_LENGTH = len(PREFIX) + len(base64.b32encode(bytes(_PAYLOAD.size + SIGNATURE_BYTES)).rstrip(b"="))
MAX_CODE_LENGTH = 200  # anything longer is refused before any decoding
MAX_ID = 2**32 - 1


class InvalidCode(ValueError):
    """Not a verification code: malformed, altered or of an unknown version."""


@dataclass(frozen=True)
class Claim:
    """What a code says before its signature is checked."""

    congress_id: int
    record_id: int
    signature: bytes

    @property
    def signed(self) -> bytes:
        return signed_bytes(self.congress_id, self.record_id)


def signed_bytes(congress_id: int, record_id: int) -> bytes:
    """The bytes the edition's key signs for a record."""
    if not (0 < congress_id <= MAX_ID and 0 < record_id <= MAX_ID):
        raise ValueError("ids out of range")
    return DOMAIN + _PAYLOAD.pack(VERSION, congress_id, record_id)


def encode(congress_id: int, record_id: int, signature: bytes) -> str:
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature has 64 bytes")
    raw = _PAYLOAD.pack(VERSION, congress_id, record_id) + signature
    return PREFIX + base64.b32encode(raw).decode("ascii").rstrip("=")


def decode(code: object) -> Claim:
    """The claim a code makes; raises :class:`InvalidCode` for anything but a well-formed code."""
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        raise InvalidCode("not a verification code")
    code = code.strip().upper()
    if not code.startswith(PREFIX) or len(code) != CODE_LENGTH or not code.isascii():
        raise InvalidCode("not a verification code")
    body = code[len(PREFIX):]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise InvalidCode("not base32") from None
    if len(raw) != _PAYLOAD.size + SIGNATURE_BYTES or base64.b32encode(raw).decode("ascii").rstrip("=") != body:
        raise InvalidCode("not canonical")  # the last character's unused bits: one spelling only
    version, congress_id, record_id = _PAYLOAD.unpack(raw[:_PAYLOAD.size])
    if version != VERSION or congress_id == 0 or record_id == 0:
        raise InvalidCode("unknown version")
    return Claim(congress_id, record_id, raw[_PAYLOAD.size:])
