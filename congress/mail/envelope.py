"""How a message leaves: its headers (``build_email``), its envelope sender (the Return-Path bounces go
to) and its DKIM signature.

The signature covers the exact bytes that are sent, so the message is serialised once here and
handed to SMTP as bytes; nothing rewrites it after signing. Without a key file messages go unsigned
(a development machine); with one that cannot be read, the app refuses to start (``check``).
See docs/deploy.md for the DNS records (DKIM, SPF, DMARC) that go with it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import dkim
from flask import current_app

from congress.database import utcnow
from congress.mail.headers import add_extra_headers
from congress.mail.models import OutboxMessage
from congress.mail.signals import reply_to_wanted
from congress.signals import first_answer
from congress.urls import public_domain

# The headers the signature covers (those present in the message): what a receiver shows or acts on.
SIGNED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "Content-Type", "MIME-Version",
                  "Content-Language", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post")


def new_message_id() -> str:
    """A fresh ``Message-ID`` on the configured domain (``PUBLIC_BASE_URL``)."""
    return make_msgid(domain=public_domain())


class SigningKeyError(RuntimeError):
    """MAIL_DKIM_PRIVATE_KEY_FILE is set but is not a readable private key."""


def _domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower()


def dkim_domain(config: Mapping[str, Any]) -> str:
    """The signing domain (``d=``): MAIL_DKIM_DOMAIN, else the domain of the From address."""
    return (config.get("MAIL_DKIM_DOMAIN") or _domain_of(config.get("MAIL_DEFAULT_SENDER") or "")).lower()


@functools.lru_cache(maxsize=4)
def _key(path: str) -> bytes:
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"MAIL_DKIM_PRIVATE_KEY_FILE {path!r} cannot be read: {exc.strerror}") from exc
    if b"PRIVATE KEY" not in key:
        raise SigningKeyError(f"MAIL_DKIM_PRIVATE_KEY_FILE {path!r} holds no PEM private key")
    return key


def check(config: Mapping[str, Any]) -> None:
    """At start-up: a configured key must be readable and sign, and there must be a domain to sign for."""
    path = config.get("MAIL_DKIM_PRIVATE_KEY_FILE")
    if not path:
        return
    if not dkim_domain(config):
        raise SigningKeyError("MAIL_DKIM_DOMAIN is empty and MAIL_DEFAULT_SENDER has no domain to sign for")
    probe = b"From: a@example.org\r\nSubject: probe\r\n\r\nprobe\r\n"
    try:
        dkim.sign(probe, config.get("MAIL_DKIM_SELECTOR", "congres").encode(), dkim_domain(config).encode(),
                  _key(path), include_headers=[b"from", b"subject"])
    except dkim.DKIMException as exc:
        raise SigningKeyError(f"MAIL_DKIM_PRIVATE_KEY_FILE {path!r} cannot sign: {exc}") from exc


def envelope_sender() -> str:
    """The address in SMTP's MAIL FROM, which receivers record as Return-Path and bounce to."""
    config = current_app.config
    return parseaddr(config.get("MAIL_RETURN_PATH") or config["MAIL_DEFAULT_SENDER"])[1]


def recipients(email: EmailMessage) -> list[str]:
    return [address for _, address in getaddresses(email.get_all("To", []) + email.get_all("Cc", [])) if address]


def needs_smtputf8(email: EmailMessage) -> bool:
    """An address that is not ASCII (an internationalised mailbox) needs SMTPUTF8, as smtplib decides."""
    return any(not address.isascii() for address in [envelope_sender(), *recipients(email)])


def message_bytes(email: EmailMessage) -> bytes:
    """The bytes to send: the message with CRLF line ends, DKIM-signed when a key is configured."""
    data = email.as_bytes(policy=policy.SMTPUTF8 if needs_smtputf8(email) else policy.SMTP)
    config = current_app.config
    path = config.get("MAIL_DKIM_PRIVATE_KEY_FILE")
    if not path:
        return data
    present = [name.lower().encode() for name in SIGNED_HEADERS if name in email]
    signature = dkim.sign(data, config["MAIL_DKIM_SELECTOR"].encode(), dkim_domain(config).encode(), _key(path),
                          include_headers=present)
    return signature + data


def check_configuration(config: Any) -> None:
    """At start-up (``create_app``): a DKIM key that is configured must be readable and sign
    (:class:`SigningKeyError` otherwise), so a wrong path stops the app instead of the first mail."""
    check(config)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail of an outbox row: Date, a stable Message-ID, Content-Language, Auto-Submitted, and the
    edition's contact address as Reply-To (replies reach the organisers, not the sending mailbox)."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Date"] = format_datetime((message.created_at or utcnow()).astimezone(UTC))
    email["Message-ID"] = message.message_id_header or new_message_id()
    # Every message the outbox sends is made by the system (RFC 3834): no auto-replies to it.
    email["Auto-Submitted"] = "auto-generated"
    reply_to = first_answer(reply_to_wanted, message.congress_id) if message.congress_id else None
    if reply_to:
        email["Reply-To"] = reply_to
    add_extra_headers(email, message.headers)
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype or "octet-stream",
                             filename=attachment.filename)
    # Content headers are set last: set_content() drops them and multipart conversion moves them.
    email["Content-Language"] = message.locale
    for part in email.walk():
        if part.get_content_type() in ("text/plain", "text/html") and not part.is_attachment() and part is not email:
            part["Content-Language"] = message.locale
    return email
