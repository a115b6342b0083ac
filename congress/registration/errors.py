"""The registration capability's refusals."""

from __future__ import annotations

from typing import Any

from congress.errors import ServiceError

# Refusals because of the edition's or a session's state (409); anything else is bad input (422).
STATE_CODES = frozenset({"closed", "not_open", "full", "session_full", "duplicate"})


class RegistrationError(ServiceError):
    """A rule refused the request. ``code``: closed, not_open, full, invalid, session_full, duplicate;
    ``field`` names the form/API field the message belongs to (or None)."""

    def __init__(self, message: Any, *, code: str = "invalid", field: str | None = None,
                 errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, code=code, field=field, errors=errors)
        self.status = 409 if code in STATE_CODES else 422
