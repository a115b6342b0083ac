"""The programme's refusals: they derive from the foundation's ``ServiceError`` hierarchy, so that
uncaught they are answered 422/403 in HTML and JSON; views that show a form catch them."""

from __future__ import annotations

from congress.errors import NotPermitted, ServiceError


class ProgrammeError(ServiceError):
    """A refused change (422); ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


class NotAllowed(NotPermitted, PermissionError):
    """This user may not change this session (403). Still a ``PermissionError`` for callers of before."""
