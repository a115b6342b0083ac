"""Secrets in links and tokens: generated with ``secrets``, stored only as their SHA-256.

The secrets are high-entropy (≥ 128 bits), so a fast unsalted hash is enough: nobody can
guess one to test against the hash. This is the one place a secret is hashed.
"""

from __future__ import annotations

import hashlib
import secrets

DEFAULT_BYTES = 32


def new_secret(nbytes: int = DEFAULT_BYTES) -> str:
    """A URL-safe random secret of ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    """The hex SHA-256 of ``secret``; text that is not valid UTF-8 (a lone surrogate from a hostile
    client) is hashed as it came, never an error: it simply matches nothing."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
