"""The SMTP side of delivery: one connection for a batch of messages, which keeps the server's answer
to the data ("250 2.0.0 Ok: queued as …")."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage
from typing import Any

from flask import current_app

from congress.mail import envelope


class _RecordsDataReply:
    """Keeps the server's answer to DATA ("250 2.0.0 Ok: queued as …"), which smtplib drops."""

    data_reply: tuple[int, bytes] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)  # type: ignore[misc]
        return self.data_reply


class _SMTP(_RecordsDataReply, smtplib.SMTP):
    pass


class _SMTPSSL(_RecordsDataReply, smtplib.SMTP_SSL):
    pass


class SMTPConnection:
    """One connection to the SMTP server for a batch of messages, opened at the first message.
    After any error it is closed, and the next message opens a new one: a refusal or a broken
    connection concerns one message, never the others of the batch."""

    def __init__(self) -> None:
        self._smtp: _SMTP | _SMTPSSL | None = None

    def _open(self) -> _SMTP | _SMTPSSL:
        config = current_app.config
        smtp_class = _SMTPSSL if config["MAIL_USE_SSL"] else _SMTP
        smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
        try:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, email: EmailMessage) -> tuple[int, str]:
        """Send over SMTP; the server's answer to the data. Raises for every refusal."""
        if self._smtp is None:
            self._smtp = self._open()
        smtp = self._smtp
        smtp.data_reply = None
        try:
            # The exact bytes that were signed (DKIM), from the envelope sender bounces go to.
            options = ["SMTPUTF8", "BODY=8BITMIME"] if envelope.needs_smtputf8(email) else []
            smtp.sendmail(envelope.envelope_sender(), envelope.recipients(email), envelope.message_bytes(email),
                          mail_options=options)
        except BaseException:
            self._drop()
            raise
        code, reply = smtp.data_reply or (250, b"")
        return code, f"{code} {reply.decode('utf-8', 'replace')}".strip()

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        """QUIT; once the data is accepted, a failing QUIT changes nothing: the messages are sent."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._drop()
        self._smtp = None


def _smtp_send(email: EmailMessage) -> tuple[int, str]:
    """Send one message over a connection of its own; the server's answer to the data."""
    connection = SMTPConnection()
    try:
        return connection.send(email)
    finally:
        connection.close()
