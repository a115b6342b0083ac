"""The call for proposals' refusals."""

from __future__ import annotations

from congress.errors import ServiceError


class CfpError(ServiceError):
    """A rule of the call refused the request; the message is translated and shown as is."""
