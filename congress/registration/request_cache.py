"""Per-request memo of reads that the form, the validation and the API all make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context


def per_request(key: str, load: Callable[[], Any]) -> Any:
    """Read once per request (sectors and questions are read by the form, validation and the API)."""
    if not has_request_context():
        return load()
    cache = g.setdefault("registration_cache", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]
