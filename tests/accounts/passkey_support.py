"""A software authenticator for the tests: real WebAuthn answers, made with ``cryptography`` (an ES256 key)
and CBOR, as a browser would send them to the JSON endpoints. Registration uses the "none" attestation;
an assertion signs the authenticator data and the hash of the client data, with a counter of its own."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftAuthenticator:
    rp_id: str = "127.0.0.1"
    origin: str = "http://127.0.0.1:5000"
    counter: int = 0
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict, *, origin: str | None = None, challenge: str | None = None,
               rp_id: str | None = None) -> dict:
        """The answer of ``navigator.credentials.create()`` to the server's ``options``."""
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([FLAG_UP | FLAG_UV | FLAG_AT])
                     + struct.pack(">I", self.counter) + bytes(16) + struct.pack(">H", len(self.credential_id))
                     + self.credential_id + self._cose_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                             "transports": ["internal", "hybrid", "made-up"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    def get(self, options: dict, *, origin: str | None = None, challenge: str | None = None,
            counter: int | None = None, rp_id: str | None = None) -> dict:
        """The answer of ``navigator.credentials.get()``; the counter goes up by one unless given."""
        if counter is None:
            self.counter += 1
            counter = self.counter
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([FLAG_UP | FLAG_UV])
                     + struct.pack(">I", counter))
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                             "signature": b64(signature), "userHandle": None},
                "clientExtensionResults": {}}
