"""How an attempt to deliver failed: database faults that pass by themselves, and the SMTP server's
refusals, permanent (5xx) or temporary (used by :mod:`congress.mail.services`)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

import sqlalchemy as sa

from congress.database import is_transient


def is_transient_database_error(exc: BaseException | None) -> bool:
    """A database fault that goes away by itself (``database.is_transient``), and for the mail worker
    any other operational error too (a full disk, an I/O error): never a reason to give a message up."""
    seen: set[int] = set()
    current = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.OperationalError):
            return True
        current = current.__cause__
    return exc is not None and is_transient(exc)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@dataclass(frozen=True)
class SmtpRefusal:
    """How an SMTP attempt failed: the server's code (None without an answer) and reason."""

    code: int | None
    reply: str
    permanent: bool


def classify_smtp_error(exc: BaseException) -> SmtpRefusal:
    """5xx refusals of the recipient, the sender or the data are permanent; anything else (4xx,
    no connection, a timeout, a dropped connection, a login refused) is tried again later."""

    def text(value: bytes | str) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values()) or [(None, b"")]
        code, reason = answers[0]
        permanent = all(c is not None and c >= 500 for c, _ in answers)
        return SmtpRefusal(code, f"{code} {text(reason)}", permanent)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return SmtpRefusal(exc.smtp_code, f"{exc.smtp_code} {text(exc.smtp_error)}", exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPResponseException):
        # HELO, AUTH …: the server or our configuration, not this message; fixed, the message goes.
        return SmtpRefusal(exc.smtp_code, f"{exc.smtp_code} {text(exc.smtp_error)}", False)
    return SmtpRefusal(None, _describe(exc), False)
