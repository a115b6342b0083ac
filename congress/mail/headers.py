"""The headers a caller may add to an outbox message (``headers=`` of ``queue_mail`` and
``queue_mail_later``); the others (From, To, Subject, Date, Message-ID, …) are the outbox's own."""

from __future__ import annotations

from email.message import EmailMessage

EXTRA_HEADERS = frozenset({"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Reply-To", "Precedence"})


def checked_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    if not headers:
        return None
    unknown = set(headers) - EXTRA_HEADERS
    if unknown:
        raise ValueError(f"headers the outbox sets itself or does not know: {sorted(unknown)}")
    if any("\r" in value or "\n" in value for value in headers.values()):
        raise ValueError("a header value with a line break")
    return dict(headers)


def add_extra_headers(email: EmailMessage, stored: dict[str, str] | None) -> None:
    """Set a message's stored further headers on ``email`` (checked when queued; a stored name that is
    not one of EXTRA_HEADERS is never trusted)."""
    for name, value in sorted((stored or {}).items()):
        if name in EXTRA_HEADERS:
            email[name] = value
