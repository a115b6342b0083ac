"""The archive's refusals (re-exported by :mod:`congress.archive.services`)."""

from __future__ import annotations

from congress.errors import Conflict, ServiceError


class ArchiveError(ServiceError):
    """A rule was broken; ``str(exc)`` is a message for the user (422: the input breaks a rule)."""


class ArchiveConflict(ArchiveError, Conflict):
    """The item's or edition's state does not allow it (409): a status that may not follow, an
    edition that has not ended."""
